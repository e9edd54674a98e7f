import { couplingMetrics } from '@coupling-lab/bench';
import { graphDot, graphMermaid } from '../report/index.js';
import { selectStrategies } from '../strategies.js';
import { UsageError } from '../usage-error.js';

const formats = ['mermaid', 'dot'] as const;

/** `coupling-lab graph [--strategy s] [--format mermaid|dot]`: each strategy's module graph. */
export function graphCommand(options: { strategy?: string; format?: string }): string {
  const format = options.format ?? 'mermaid';
  if (!(formats as readonly string[]).includes(format)) {
    throw new UsageError(`unknown format "${format}"; valid: ${formats.join(', ')}`);
  }
  return selectStrategies(options.strategy, { variants: false })
    .map((strategy) => {
      const coupling = couplingMetrics(strategy);
      return format === 'dot' ? graphDot(strategy.name, coupling) : graphMermaid(strategy.name, coupling);
    })
    .join('\n\n');
}
