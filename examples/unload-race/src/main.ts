import { scenarioNamed } from '@coupling-lab/explorer';
import { SCENARIO, THREAD_NAMES, timeline, unloadRace } from './index.js';

const { convicted, replayed, nested, clean } = unloadRace();
const out = (text: string): boolean => process.stdout.write(`${text}\n`);
const outcome = (verdict: { verdict: string; message?: string }): string =>
  verdict.message ?? verdict.verdict;

out(`${SCENARIO}\n${scenarioNamed(SCENARIO).invariant}\n`);
out(
  `register-ops/no-owner: ${convicted.kind} after ${convicted.schedules} schedule(s); the minimal one, "${convicted.schedule}":\n`,
);
out(timeline(convicted, { names: THREAD_NAMES }));
out(`\nreplay("${convicted.schedule}"): ${outcome(replayed)}`);
out(
  `same violation: ${replayed.verdict === 'violation' && replayed.message === convicted.message ? 'yes' : 'NO'}`,
);
out(
  `  (coupling-lab explore ${SCENARIO} --strategy register-ops/no-owner --replay "${convicted.schedule}")\n`,
);
out(
  `register-ops/unlocked, for contrast: the unload runs nested inside CREATE_DEVICE ("${nested.schedule}"):\n`,
);
out(timeline(nested, { names: THREAD_NAMES }));
const { maxDepth, maxPreemptions } = clean.bound;
out(
  `\nregister-ops: ${clean.verdict}, ${clean.schedules} schedules (${clean.pruned} pruned as infeasible), ` +
    `${clean.exhaustive ? 'every schedule' : 'a sample'} within nesting depth ${maxDepth} and ${maxPreemptions} preemptions`,
);
