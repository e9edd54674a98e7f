import { renderBugReport, scenarioNamed } from '@coupling-lab/explorer';
import { SCENARIO, unloadRace } from './index.js';

const { convicted, convictedReport, replayed, nestedReport, clean } = unloadRace();
const out = (text: string): boolean => process.stdout.write(`${text}\n`);
const width = process.stdout.columns;
const render = (report: typeof convictedReport): string =>
  renderBugReport(report, width === undefined ? {} : { width });

out(`${SCENARIO}\n${scenarioNamed(SCENARIO).invariant}\n`);
out(`register-ops/no-owner: ${convicted.kind} after ${convicted.schedules} schedule(s); the minimal one:\n`);
out(render(convictedReport));
out(
  `\nreplay("${convicted.schedule}"): ${replayed.verdict === 'violation' ? replayed.message : replayed.verdict}`,
);
out(
  `same violation: ${replayed.verdict === 'violation' && replayed.message === convicted.message ? 'yes' : 'NO'}\n`,
);
out('register-ops/unlocked, for contrast: the unload runs nested inside CREATE_DEVICE:\n');
out(render(nestedReport));
const { maxDepth, maxPreemptions } = clean.bound;
out(
  `\nregister-ops: ${clean.verdict}, ${clean.schedules} schedules (${clean.pruned} pruned: infeasible, or repeating one explored), ` +
    `${clean.exhaustive ? 'every schedule' : 'a sample'} within nesting depth ${maxDepth} and ${maxPreemptions} preemptions`,
);
