import { renderHtml } from './render-html.js';
import { renderMarkdown } from './render-markdown.js';
import type { Report } from './types.js';

/** The three report files of a run and their contents: report.md, report.json and report.html. */
export async function reportFiles(report: Report): Promise<[string, string][]> {
  return [
    ['report.md', renderMarkdown(report)],
    ['report.json', JSON.stringify(report, null, 2)],
    ['report.html', await renderHtml(report)],
  ];
}
