import { DEFAULT_BOUND } from '../src/core/explore.js';
import { DepthFirst } from '../src/core/depth-first.js';
import type { ExplorationTarget, ScenarioCore } from '../src/core/scenario.js';
import { Session } from '../src/core/session.js';
import { TrackedLockDep } from '../src/core/tracked-lockdep.js';
import { splitUnits, UNIT_DECISIONS } from '../src/core/units.js';
import { catalogue, labCore, labTarget, resolveStrategy, splitTarget } from '../src/index.js';
import { threeWayFirstComer, sleepTarget } from './sleeping-toys.js';
import { abbaFirstComer, callThenPut, lockTarget, providerTarget } from './toys.js';
import './strategies.js';

/** The distinct first UNIT_DECISIONS decisions of every whole schedule, in depth-first order. */
function prefixesOfWholeSchedules<W>(scenario: ScenarioCore<W>, target: ExplorationTarget<W>): string[] {
  const session = new Session(scenario, target);
  const enumeration = new DepthFirst();
  const prefixes: string[] = [];
  do {
    session.run(enumeration, DEFAULT_BOUND.maxDepth, DEFAULT_BOUND.maxPreemptions);
    const prefix = enumeration.path().choices.slice(0, UNIT_DECISIONS).join(',');
    if (prefixes.at(-1) !== prefix) prefixes.push(prefix);
  } while (enumeration.advance());
  return prefixes;
}

function splitPrefixes<W>(scenario: ScenarioCore<W>, target: ExplorationTarget<W>): string[] {
  const units = splitUnits(new Session(scenario, target), {
    bound: DEFAULT_BOUND,
    budget: DEFAULT_BOUND.maxPreemptions,
    maxSchedules: 1e6,
  });
  return units.map((unit) => unit.prefix.join(','));
}

const entry = (name: string) => {
  const found = catalogue.find((scenario) => scenario.name === name);
  if (found === undefined) throw new Error(`no catalogue scenario ${name}`);
  return found;
};

/** The split's units and the whole schedules' prefixes, for one scenario and target. */
function both<W>(scenario: ScenarioCore<W>, target: ExplorationTarget<W>): [string[], string[]] {
  return [splitPrefixes(scenario, target), prefixesOfWholeSchedules(scenario, target)];
}

// The split stops every schedule where it would make its first decision past the prefix: the
// units must be exactly the prefixes that whole schedules have.
test.each([
  ['call-then-put', () => both(callThenPut, providerTarget)],
  ['abba, first comer', () => both(abbaFirstComer, lockTarget)],
  ['three-way, first comer', () => both(threeWayFirstComer, sleepTarget)],
])('%s: the units are the whole schedules’ distinct prefixes', (_name, compared) => {
  const [split, whole] = compared();
  expect(split).toEqual(whole);
});

test.each(['add-vs-del', 'rmmod-vfio-vs-vm-close'])(
  '%s x get-ops: the units are the whole schedules’ distinct prefixes',
  (name) => {
    const scenario = entry(name);
    const core = labCore(scenario);
    const target = labTarget(scenario, resolveStrategy('get-ops'), 'v5.17');
    const split = splitPrefixes(core, target);
    expect(split.length).toBeGreaterThan(1);
    expect(split).toEqual(prefixesOfWholeSchedules(core, target));
  },
);

// The split runs on a target of its own (lab-target.ts splitTarget): fresh boots, so that the
// snapshot's world is first built by a unit; the units must be the ones the snapshot gives.
test.each(['add-vs-del', 'vm-close-vs-rmmod-all'])(
  '%s x register-ops: the split target boots afresh and gives the snapshot target’s units',
  (name) => {
    const scenario = entry(name);
    const core = labCore(scenario);
    const strategy = resolveStrategy('register-ops');
    const fresh = splitTarget(scenario, strategy, 'v5.17');
    const lockdep = new TrackedLockDep();
    expect(fresh.boot(lockdep).world).not.toBe(fresh.boot(lockdep).world);
    const split = splitPrefixes(core, fresh);
    expect(split.length).toBeGreaterThan(1);
    expect(split).toEqual(splitPrefixes(core, labTarget(scenario, strategy, 'v5.17')));
  },
);
