import { describeValue as describe } from './describe-value.js';
import type { CouplingStrategy } from './strategy.js';

const edgeKinds = ['hard', 'symbol_get', 'registers'];

function edgeProblem(edge: unknown, index: number): string | undefined {
  const where = `runtimeEdges[${index}]`;
  if (typeof edge !== 'object' || edge === null) return `${where} must be an object, got ${describe(edge)}`;
  const { from, to, kind } = edge as Record<string, unknown>;
  if (typeof from !== 'string' || from === '') return `${where}.from must be a module name`;
  if (typeof to !== 'string' || to === '') return `${where}.to must be a module name`;
  if (typeof kind !== 'string' || !edgeKinds.includes(kind))
    return `${where}.kind must be one of ${edgeKinds.join(', ')}, got ${describe(kind)}`;
  return undefined;
}

/**
 * What keeps `candidate` from being a `CouplingStrategy`, naming the member ("modules() is
 * missing"), or undefined when its shape is right. Checked wherever a strategy comes from outside
 * the type checker: boot() and the CLI's plugins.
 */
export function strategyContractProblem(candidate: unknown): string | undefined {
  if (typeof candidate !== 'object' || candidate === null)
    return `a strategy must be an object, got ${describe(candidate)}`;
  const strategy = candidate as Partial<Record<keyof CouplingStrategy, unknown>>;
  if (strategy.name === undefined) return 'name is missing';
  if (typeof strategy.name !== 'string' || strategy.name.trim() === '')
    return `name must be a non-empty string, got ${describe(strategy.name)}`;
  if (strategy.summary === undefined) return 'summary is missing';
  if (typeof strategy.summary !== 'string')
    return `summary must be a string, got ${describe(strategy.summary)}`;
  if (strategy.runtimeEdges === undefined) return 'runtimeEdges is missing';
  if (!Array.isArray(strategy.runtimeEdges))
    return `runtimeEdges must be an array, got ${describe(strategy.runtimeEdges)}`;
  for (const [index, edge] of (strategy.runtimeEdges as unknown[]).entries()) {
    const problem = edgeProblem(edge, index);
    if (problem !== undefined) return problem;
  }
  if (strategy.modules === undefined) return 'modules() is missing';
  if (typeof strategy.modules !== 'function')
    return `modules must be a function, got ${describe(strategy.modules)}`;
  if (strategy.variant !== undefined) {
    const variant = strategy.variant as Record<string, unknown> | null;
    if (typeof variant !== 'object' || variant === null || typeof variant.of !== 'string')
      return 'variant.of must name the strategy it is a variant of';
    if (typeof variant.difference !== 'string') return 'variant.difference must be a string';
  }
  return undefined;
}
