import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';
import type { Report } from '../src/report/index.js';

const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const repoRoot = resolve(__dirname, '../../..');
const screenshot = join(repoRoot, 'test-output', 'report-html.png');
const cli = join(repoRoot, 'packages', 'cli', 'dist', 'bin.js');

// A missing browser must show up as a skipped test, never as a pass.
const maybe = existsSync(chromiumPath) ? test : test.skip;
if (!existsSync(chromiumPath)) {
  console.warn(
    `report-html e2e skipped: no Chromium at ${chromiumPath} (run scripts/ensure-chromium.mjs or set CHROMIUM_PATH)`,
  );
}

maybe(
  'the report.html of a real `compare --quick` opens in Chromium with its table, charts and a module graph per strategy, and no errors',
  async () => {
    // The built command, end to end (the test command builds before jest): its benchmarks fork
    // measuring processes that load the built packages.
    if (!existsSync(cli)) throw new Error(`${cli} is missing: run \`pnpm build\` first`);
    const dir = mkdtempSync(join(tmpdir(), 'coupling-lab-html-'));
    execFileSync(process.execPath, [cli, 'compare', '--quick', '--out', dir], {
      stdio: 'pipe',
      timeout: 150_000,
    });
    const report = JSON.parse(readFileSync(join(dir, 'report.json'), 'utf8')) as Report;
    expect(report.strategies.map((s) => s.name)).toEqual([
      'direct',
      'symbol-get',
      'symbol-get-file',
      'get-ops',
      'register-ops',
    ]);
    const file = join(dir, 'report.html');
    const browser = await chromium.launch({
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
    try {
      const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
      const errors: string[] = [];
      page.on('console', (message) => {
        if (message.type() === 'error') errors.push(message.text());
      });
      page.on('pageerror', (error) => errors.push(error.message));
      await page.goto(pathToFileURL(file).href, { waitUntil: 'load' });

      const headers = await page.locator('#comparison thead th').allTextContents();
      expect(headers.slice(1)).toEqual(report.strategies.map((s) => s.name));

      for (const chart of ['#ratio-chart', '#counts-chart']) {
        expect(await page.locator(`${chart} svg`).count()).toBe(1);
        expect(await page.locator(`${chart} svg rect.bar`).count()).toBeGreaterThan(0);
        const box = await page.locator(`${chart} svg`).boundingBox();
        expect(box?.width ?? 0).toBeGreaterThan(100);
      }

      const graphs = page.locator('figure.module-graph');
      expect(await graphs.count()).toBe(report.strategies.length);
      for (const s of report.strategies) {
        const graph = page.locator(`figure.module-graph[data-strategy="${s.name}"]`);
        expect(await graph.count()).toBe(1);
        expect(await graph.locator('svg').count()).toBe(1);
        expect(await graph.locator('svg line.edge').count()).toBe(s.coupling.edges.length);
      }

      mkdirSync(join(repoRoot, 'test-output'), { recursive: true });
      await page.screenshot({ path: screenshot, fullPage: true });
      expect(errors).toEqual([]);
    } finally {
      await browser.close();
      rmSync(dir, { recursive: true, force: true });
    }
  },
  180_000,
);
