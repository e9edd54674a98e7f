import { couplingMetrics } from '@coupling-lab/bench';
import { graphDot, graphMermaidDocument } from '../report/index.js';
import { selectStrategies } from '../strategies.js';
import { UsageError } from '../usage-error.js';

const formats = ['mermaid', 'dot'] as const;

/**
 * `coupling-lab graph [--strategy s] [--format mermaid|dot]`: each strategy's module graph. Mermaid
 * is one document with a subgraph per strategy; DOT is one digraph per strategy (Graphviz reads
 * several from one file).
 */
export function graphCommand(options: { strategy?: readonly string[]; format?: string }): string {
  const format = options.format ?? 'mermaid';
  if (!(formats as readonly string[]).includes(format)) {
    throw new UsageError(`unknown format "${format}"; valid: ${formats.join(', ')}`);
  }
  const graphs = selectStrategies(options.strategy, { variants: false }).map((strategy) => ({
    name: strategy.name,
    metrics: couplingMetrics(strategy),
  }));
  if (format === 'mermaid') return graphMermaidDocument(graphs);
  return graphs.map(({ name, metrics }) => graphDot(name, metrics)).join('\n\n');
}
