/** The report page's whole stylesheet: system fonts only, so the file needs nothing from a network. */
export const htmlStyle = `
:root { color-scheme: light; --ink: #1b1f24; --muted: #5b6470; --line: #d9dee5; --band: #f4f6f9; --bad: #b00020; --good: #116329; }
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--ink); background: #fff; }
header { padding: 20px 24px 14px; border-bottom: 1px solid var(--line); background: var(--band); }
header h1 { margin: 0 0 4px; font-size: 22px; }
header p { margin: 2px 0; color: var(--muted); overflow-wrap: anywhere; }
.badge { display: inline-block; padding: 0 8px; border-radius: 9px; background: #fff3cd; color: #6b5200; font-size: 12px; }
main { padding: 8px 24px 40px; max-width: 1500px; }
h2 { margin: 28px 0 10px; font-size: 18px; border-bottom: 1px solid var(--line); padding-bottom: 4px; }
h3 { margin: 22px 0 6px; font-size: 16px; }
h4 { margin: 14px 0 6px; font-size: 14px; }
code { font: 12px ui-monospace, Menlo, Consolas, monospace; background: var(--band); padding: 1px 4px; border-radius: 3px; overflow-wrap: anywhere; }
pre { font: 12px/1.4 ui-monospace, Menlo, Consolas, monospace; background: var(--band); padding: 8px; overflow-x: auto; }
.table-wrap { overflow-x: auto; }
table { border-collapse: collapse; font-size: 13px; }
th, td { border: 1px solid var(--line); padding: 5px 8px; text-align: left; vertical-align: top; }
#comparison { width: 100%; min-width: 720px; table-layout: fixed; }
#comparison td, #comparison th { overflow-wrap: break-word; }
@media (max-width: 900px) { main, header { padding-left: 14px; padding-right: 14px; } #comparison { font-size: 12px; } #comparison thead th:first-child { width: 130px; } th, td { padding: 4px 6px; } }
#comparison thead th { background: #e8edf4; font-family: ui-monospace, Menlo, Consolas, monospace; }
#comparison thead th:first-child { width: 170px; }
#comparison th[scope="row"] { font-weight: 500; color: #333; background: #fafbfc; }
#comparison tr.section th { background: var(--band); font-weight: 600; text-transform: uppercase; font-size: 11px; letter-spacing: .04em; color: var(--muted); }
td.good { color: var(--good); }
td.bad { color: var(--bad); font-weight: 600; }
td.muted { color: #8a929c; }
.note { color: var(--muted); }
figure { margin: 12px 0; }
figure svg { max-width: 100%; height: auto; display: block; }
#forest-plot svg { width: 100%; max-width: 980px; }
figcaption { color: var(--muted); font-size: 12px; margin-top: 4px; max-width: 980px; }
.count-charts { display: grid; grid-template-columns: repeat(auto-fill, minmax(330px, 1fr)); gap: 4px 24px; }
.count-chart svg { width: 100%; max-width: 460px; }
ul.strategy-legend, ul.graph-legend { list-style: none; padding: 0; margin: 6px 0; display: flex; flex-wrap: wrap; gap: 4px 18px; font-size: 12px; }
.strategy-legend .swatch { display: inline-block; width: 12px; height: 12px; margin-right: 6px; vertical-align: -1px; }
.graph-legend svg { display: inline; vertical-align: middle; }
.strategies { display: grid; grid-template-columns: repeat(auto-fill, minmax(min(100%, 560px), 1fr)); gap: 8px 32px; }
.strategy { border-top: 3px solid var(--swatch, var(--line)); min-width: 0; }
.module-graph svg { max-width: 100%; height: auto; }
.races { width: 100%; }
.races td.violation, .variants td.violation { color: var(--bad); font-weight: 600; }
.races td.clean { color: var(--good); }
.races td.skipped, td.escaped { color: #8a929c; }
ul.differences li { margin: 3px 0; }
.variant { border-left: 3px solid var(--bad); padding-left: 12px; margin: 18px 0; }
details.conviction { margin: 8px 0; }
details.conviction > summary { cursor: pointer; }
.bug-report { border: 1px solid var(--line); border-radius: 4px; padding: 8px 12px; margin: 10px 0; background: #fffafa; min-width: 0; }
.bug-report p { margin: 3px 0; overflow-wrap: anywhere; }
.bug-title { font: 600 13px ui-monospace, Menlo, Consolas, monospace; color: var(--bad); }
.bug-where { color: var(--muted); font-size: 12px; }
table.interleaving { margin: 8px 0; }
table.interleaving tr.nested td:not(:empty) { background: #fff3e0; }
table.interleaving tr.faulted td:not(:empty) { background: #fde7ea; }
table.interleaving .fault { color: var(--bad); font-weight: 700; }
table.interleaving .preemption { color: var(--muted); font-size: 12px; }
.replay code { user-select: all; }
`;
