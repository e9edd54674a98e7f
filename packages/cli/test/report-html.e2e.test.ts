import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';
import { renderHtml } from '../src/report/index.js';
import { sampleReport } from './sample-report.js';

const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const repoRoot = resolve(__dirname, '../../..');
const screenshot = join(repoRoot, 'test-output', 'report-html.png');

// A missing browser must show up as a skipped test, never as a pass.
const maybe = existsSync(chromiumPath) ? test : test.skip;
if (!existsSync(chromiumPath)) {
  console.warn(
    `report-html e2e skipped: no Chromium at ${chromiumPath} (run scripts/ensure-chromium.mjs or set CHROMIUM_PATH)`,
  );
}

maybe(
  'report.html opens in Chromium with its table, charts and a module graph per strategy, and no errors',
  async () => {
    const report = sampleReport();
    const dir = mkdtempSync(join(tmpdir(), 'coupling-lab-html-'));
    const file = join(dir, 'report.html');
    writeFileSync(file, renderHtml(report));
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
  60_000,
);
