export * from './types.js';
export { renderTable, type RenderTableOptions } from './render-table.js';
export { graphDot, graphMermaid, graphSvg } from './module-graph.js';
export { countsChartSvg, ratioChartSvg } from './charts.js';
export { renderMarkdown } from './render-markdown.js';
export { renderHtml } from './render-html.js';
export { defaultOutDir, prepareOutDir, writeReports } from './write-reports.js';
