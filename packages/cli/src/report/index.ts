export * from './types.js';
export { renderTable, type RenderTableOptions } from './render-table.js';
export {
  drawnEdgeKinds,
  graphDot,
  graphLegendHtml,
  graphMermaid,
  graphMermaidDocument,
  graphModules,
  graphSvg,
} from './module-graph.js';
export { countChartSvg, countUnits, forestPlotSvg } from './charts.js';
export { bugReportHtml } from './html-bug-report.js';
export { renderMarkdown } from './render-markdown.js';
export { renderHtml } from './render-html.js';
export { reportFiles } from './write-reports.js';
export { defaultOutDir, OutDir, OutDirError } from './out-dir.js';
export { fitTable } from './fit-table.js';
export { indentWrap, visibleLength, wrapText } from './text-wrap.js';
export {
  formatCost,
  formatPriced,
  pricedBarsText,
  pricedChartSvg,
  pricedSourceLine,
  primitiveTableHeader,
  primitiveTableRows,
} from './priced-block.js';
