import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { type Browser, chromium, type Page } from 'playwright-core';
import { renderHtml, type Report } from '../src/report/index.js';
import { builtCli } from './cli-run.js';
import { sampleReport } from './sample-report.js';

const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const repoRoot = resolve(__dirname, '../../..');
const widths = [1400, 800] as const;

// A missing browser must show up as a skipped test, never as a pass.
const maybe = existsSync(chromiumPath) ? test : test.skip;
if (!existsSync(chromiumPath)) {
  console.warn(
    `report-html e2e skipped: no Chromium at ${chromiumPath} (run scripts/ensure-chromium.mjs or set CHROMIUM_PATH)`,
  );
}

interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}

const overlap = (a: Box, b: Box): boolean =>
  a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;

const inside = (inner: Box, outer: Box): boolean =>
  inner.x >= outer.x - 0.5 &&
  inner.y >= outer.y - 0.5 &&
  inner.x + inner.width <= outer.x + outer.width + 0.5 &&
  inner.y + inner.height <= outer.y + outer.height + 0.5;

/** The rendered boxes of every element `selector` matches, read from the page (getBoundingClientRect). */
/** The interleaving's columns for a schedule such as `1 2@9`: one per thread up to the highest it names. */
function threadColumns(schedule: string): string[] {
  const threads = schedule
    .split(' ')
    .filter((token) => token !== '')
    .map((token) => Number(token.split('@')[0]));
  return Array.from(
    { length: Math.max(1, ...threads) },
    (_, index) => `thread ${String.fromCharCode(65 + index)}`,
  );
}

function boxes(page: Page, selector: string): Promise<Box[]> {
  return page.$$eval(selector, (elements) =>
    elements.map((element) => {
      const rect = element.getBoundingClientRect();
      return { x: rect.x, y: rect.y, width: rect.width, height: rect.height };
    }),
  );
}

function expectNoOverlaps(what: string, found: Box[]): void {
  for (let i = 0; i < found.length; i++)
    for (let j = i + 1; j < found.length; j++) {
      const [a, b] = [found[i], found[j]];
      if (a !== undefined && b !== undefined)
        expect({ what, i, j, overlap: overlap(a, b) }).toEqual({ what, i, j, overlap: false });
    }
}

async function launch(): Promise<Browser> {
  return chromium.launch({
    executablePath: chromiumPath,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

async function open(
  browser: Browser,
  file: string,
  width: number,
): Promise<{ page: Page; errors: string[] }> {
  const page = await browser.newPage({ viewport: { width, height: 900 } });
  const errors: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(message.text());
  });
  page.on('pageerror', (error) => errors.push(error.message));
  await page.goto(pathToFileURL(file).href, { waitUntil: 'load' });
  return { page, errors };
}

/** Nothing sticks out sideways: the page needs no horizontal scrolling (wide tables scroll inside their box). */
async function expectNoSidewaysScroll(page: Page, width: number): Promise<void> {
  const scrollWidth = Number(await page.evaluate('document.documentElement.scrollWidth'));
  expect(scrollWidth).toBeLessThanOrEqual(width);
}

maybe(
  'the report.html of a real `compare --quick --no-bench` shows the Variants section and a module graph with no overlapping labels, at 1400 and 800 px',
  async () => {
    // The built command, end to end (the test command builds before jest). No timings: the
    // page's forest plot is checked below on a report that has them, without spending the
    // run's time in a benchmark.
    if (!existsSync(builtCli)) throw new Error(`${builtCli} is missing: run \`pnpm build\` first`);
    const dir = mkdtempSync(join(tmpdir(), 'coupling-lab-html-'));
    const browser = await launch();
    try {
      execFileSync(
        process.execPath,
        [builtCli, 'compare', '--quick', '--no-bench', '--out', dir, '--force'],
        {
          stdio: 'pipe',
          timeout: 60_000,
        },
      );
      const report = JSON.parse(readFileSync(join(dir, 'report.json'), 'utf8')) as Report;
      expect(report.strategies.map((s) => s.name)).toEqual([
        'direct',
        'symbol-get',
        'symbol-get-file',
        'get-ops',
        'register-ops',
      ]);
      for (const width of widths) {
        const { page, errors } = await open(browser, join(dir, 'report.html'), width);
        const headers = await page.locator('#comparison thead th').allTextContents();
        expect(headers.slice(1)).toEqual(report.strategies.map((s) => s.name));

        // The Variants section: each variant, its difference, and its first conviction's interleaving.
        const variants = page.locator('#variants article.variant');
        expect(await variants.count()).toBe(report.variants?.length);
        for (const variant of report.variants ?? []) {
          const article = page.locator(`#variants article.variant[data-variant="${variant.name}"]`);
          expect(await article.locator('p').first().textContent()).toContain(variant.difference);
          const conviction = article.locator('details.conviction[open] .bug-report');
          expect(await conviction.locator('.bug-title').textContent()).toMatch(/^BUG: /);
          const first = variant.races.find((race) => race.verdict === 'violation');
          expect(await conviction.locator('table.interleaving thead th').allTextContents()).toEqual([
            'step',
            ...threadColumns(first?.schedule ?? ''),
          ]);
          const shown = await conviction.locator('table.interleaving').boundingBox();
          expect(shown?.width ?? 0).toBeGreaterThan(100);
        }

        // A module graph laid out by Graphviz: labels apart, each inside its box, the legend only what is drawn.
        const graph = page.locator('figure.module-graph[data-strategy="register-ops"]');
        const frame = await graph.boundingBox();
        const svgBox = await graph.locator('svg.module-graph-svg').boundingBox();
        if (frame === null || svgBox === null) throw new Error('the register-ops graph is not drawn');
        expect(svgBox.width).toBeLessThanOrEqual(frame.width + 0.5);
        const labels = await boxes(page, 'figure.module-graph[data-strategy="register-ops"] svg text');
        expect(labels.length).toBeGreaterThanOrEqual(report.strategies[4]?.coupling.modules.length ?? 4);
        expectNoOverlaps(`register-ops graph labels at ${width}px`, labels);
        const nodes = await page.$$eval(
          'figure.module-graph[data-strategy="register-ops"] svg g.node',
          (groups) =>
            groups.map((group) => {
              const shape = group.querySelector('path, polygon')?.getBoundingClientRect();
              const text = group.querySelector('text')?.getBoundingClientRect();
              const box = (r: { x: number; y: number; width: number; height: number } | undefined) => ({
                x: r?.x ?? 0,
                y: r?.y ?? 0,
                width: r?.width ?? 0,
                height: r?.height ?? 0,
              });
              return { shape: box(shape), text: box(text) };
            }),
        );
        for (const node of nodes) expect(inside(node.text, node.shape)).toBe(true);
        for (const label of labels) expect(inside(label, svgBox)).toBe(true);
        expect(
          await graph
            .locator('.graph-legend li')
            .evaluateAll((items) => items.map((i) => i.getAttribute('data-edge-kind'))),
        ).toEqual(['hard', 'registers']);

        // One chart per counted unit, each inside the page.
        expect(await page.locator('#counts-charts figure.count-chart svg').count()).toBe(5);
        await expectNoSidewaysScroll(page, width);

        mkdirSync(join(repoRoot, 'test-output'), { recursive: true });
        await page.screenshot({
          path: join(repoRoot, 'test-output', `report-html-${width}.png`),
          fullPage: true,
        });
        expect(errors).toEqual([]);
        await page.close();
      }
    } finally {
      await browser.close();
      rmSync(dir, { recursive: true, force: true });
    }
  },
  120_000,
);

maybe(
  'the forest plot fits the page at 1400 and 800 px, centred on 1.0, its labels, intervals and numbers apart',
  async () => {
    const report = sampleReport();
    const dir = mkdtempSync(join(tmpdir(), 'coupling-lab-forest-'));
    const file = join(dir, 'report.html');
    writeFileSync(file, await renderHtml(report));
    const browser = await launch();
    try {
      for (const width of widths) {
        const { page, errors } = await open(browser, file, width);
        const svg = await page.locator('#forest-plot svg').boundingBox();
        const figure = await page.locator('#forest-plot').boundingBox();
        if (svg === null || figure === null) throw new Error('no forest plot');
        expect(svg.width).toBeLessThanOrEqual(Math.min(figure.width, width) + 0.5);
        expect(svg.width).toBeGreaterThan(Math.min(600, width - 80));
        const rows = await page.locator('#forest-plot g.forest-row').count();
        expect(rows).toBe(report.strategies.length * 5);
        // Row labels, tick labels and numbers never overlap one another, and every interval ends left of its number.
        for (const selector of [
          'text.row-label',
          'text.value-label',
          'text.tick-label',
          'text.group-label',
        ]) {
          expectNoOverlaps(`${selector} at ${width}px`, await boxes(page, `#forest-plot ${selector}`));
        }
        const ends = await page.$$eval('#forest-plot g.forest-row', (groups) =>
          groups.map((group) => ({
            interval: group.querySelector('path.interval')?.getBoundingClientRect().right ?? 0,
            label: group.querySelector('text.row-label')?.getBoundingClientRect().right ?? 0,
            start: group.querySelector('path.interval')?.getBoundingClientRect().left ?? 0,
            value: group.querySelector('text.value-label')?.getBoundingClientRect().left ?? 0,
          })),
        );
        for (const end of ends) {
          expect(end.interval).toBeLessThan(end.value);
          expect(end.label).toBeLessThan(end.start);
        }
        // Direct's square sits on the dashed 1.0 line.
        const line = await page.locator('#forest-plot line.reference').boundingBox();
        const direct = await page
          .locator('#forest-plot g.forest-row[data-strategy="direct"] rect.estimate')
          .first()
          .boundingBox();
        expect(
          Math.abs((direct?.x ?? 0) + (direct?.width ?? 0) / 2 - ((line?.x ?? 0) + (line?.width ?? 0) / 2)),
        ).toBeLessThan(1.5);
        await expectNoSidewaysScroll(page, width);
        expect(errors).toEqual([]);
        await page.close();
      }
    } finally {
      await browser.close();
      rmSync(dir, { recursive: true, force: true });
    }
  },
  60_000,
);
