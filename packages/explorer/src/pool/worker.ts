// The worker side of the pool (piscina): explores one work unit of a catalogue scenario.
import { Session } from '../core/session.js';
import { exploreUnit, type UnitResult } from '../core/units.js';
import { scenarioNamed } from '../catalogue/index.js';
import { labCore, labTarget } from '../lab-target.js';
import { resolveStrategy } from '../strategy-ref.js';
import type { UnitTask } from './task.js';

const imported = new Set<string>();
const sessions = new Map<
  string,
  { core: ReturnType<typeof labCore>; target: ReturnType<typeof labTarget> }
>();

export default async function exploreUnitTask(task: UnitTask): Promise<UnitResult> {
  for (const specifier of task.imports) {
    if (imported.has(specifier)) continue;
    await import(specifier);
    imported.add(specifier);
  }
  const key = `${task.scenario}\u0000${task.strategy}\u0000${task.linux}`;
  let built = sessions.get(key);
  if (built === undefined) {
    const entry = scenarioNamed(task.scenario);
    built = { core: labCore(entry), target: labTarget(entry, resolveStrategy(task.strategy), task.linux) };
    sessions.set(key, built);
  }
  return exploreUnit(new Session(built.core, built.target), task.unit);
}
