// The worker side of the pool (piscina): splits a catalogue scenario's exploration into work
// units, or explores a batch of them.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { Session } from '../core/session.js';
import { exploreBatch, splitUnits, type UnitResult, type WorkUnit } from '../core/units.js';
import { scenarioNamed } from '../catalogue/index.js';
import { labCore, labTarget, splitTarget } from '../lab-target.js';
import { resolveStrategy } from '../strategy-ref.js';
import { targetKey, type PoolTask } from './task.js';

const imported = new Set<string>();

/**
 * A TypeScript source path (what a test runner resolves a workspace package to) as its compiled
 * counterpart in dist/, when there is one: the worker is plain Node and cannot load .ts.
 */
function loadable(specifier: string): string {
  if (!specifier.endsWith('.ts') || !path.isAbsolute(specifier)) return specifier;
  const compiled = specifier.replace(/([\\/])src([\\/])(.*)\.ts$/, '$1dist$2$3.js');
  return compiled !== specifier && existsSync(compiled) ? compiled : specifier;
}
const sessions = new Map<
  string,
  { core: ReturnType<typeof labCore>; target: ReturnType<typeof labTarget> }
>();

export default async function explorerTask(task: PoolTask): Promise<UnitResult[] | WorkUnit[]> {
  for (const specifier of task.imports) {
    if (imported.has(specifier)) continue;
    await import(loadable(specifier));
    imported.add(specifier);
  }
  const key = targetKey(task);
  let built = sessions.get(key);
  if (built === undefined) {
    const entry = scenarioNamed(task.scenario);
    built = { core: labCore(entry), target: labTarget(entry, resolveStrategy(task.strategy), task.linux) };
    sessions.set(key, built);
  }
  const { core, target } = built;
  if ('split' in task) {
    // Not on `target`: its world is built by the first unit, right before the schedules that restore it.
    const fresh = splitTarget(scenarioNamed(task.scenario), resolveStrategy(task.strategy), task.linux);
    return splitUnits(new Session(core, fresh), task.split);
  }
  return exploreBatch(() => new Session(core, target), task.units);
}
