/** The report page's whole stylesheet: system fonts only, so the file needs nothing from a network. */
export const htmlStyle = `
:root { color-scheme: light; --ink: #1b1f24; --muted: #5b6470; --line: #d9dee5; --band: #f4f6f9; }
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--ink); background: #fff; }
header { padding: 20px 32px 14px; border-bottom: 1px solid var(--line); background: var(--band); }
header h1 { margin: 0 0 4px; font-size: 22px; }
header p { margin: 2px 0; color: var(--muted); }
.badge { display: inline-block; padding: 0 8px; border-radius: 9px; background: #fff3cd; color: #6b5200; font-size: 12px; }
main { padding: 8px 32px 40px; max-width: 1500px; }
h2 { margin: 28px 0 10px; font-size: 18px; border-bottom: 1px solid var(--line); padding-bottom: 4px; }
h3 { margin: 22px 0 6px; font-size: 16px; }
h4 { margin: 14px 0 6px; font-size: 14px; }
code { font: 12px ui-monospace, Menlo, Consolas, monospace; background: var(--band); padding: 1px 4px; border-radius: 3px; }
.table-wrap { overflow-x: auto; }
table { border-collapse: collapse; font-size: 13px; }
th, td { border: 1px solid var(--line); padding: 5px 8px; text-align: left; vertical-align: top; }
#comparison { width: 100%; table-layout: fixed; }
#comparison thead th { background: #e8edf4; font-family: ui-monospace, Menlo, Consolas, monospace; }
#comparison thead th:first-child { width: 190px; }
#comparison th[scope="row"] { font-weight: 500; color: #333; background: #fafbfc; }
#comparison tr.section th { background: var(--band); font-weight: 600; text-transform: uppercase; font-size: 11px; letter-spacing: .04em; color: var(--muted); }
td.good { color: #116329; }
td.bad { color: #b00020; font-weight: 600; }
td.muted { color: #8a929c; }
.note { color: var(--muted); }
figure { margin: 12px 0; }
figure svg { max-width: 100%; height: auto; display: block; }
figcaption { color: var(--muted); font-size: 12px; margin-top: 4px; }
.strategies { display: grid; grid-template-columns: repeat(auto-fill, minmax(560px, 1fr)); gap: 8px 32px; }
.strategy { border-top: 3px solid var(--swatch, var(--line)); }
.races { width: 100%; }
.races code { overflow-wrap: anywhere; }
.races td.violation { color: #b00020; font-weight: 600; }
.races td.clean { color: #116329; }
.races td.skipped { color: #8a929c; }
ul.differences li { margin: 3px 0; }
`;
