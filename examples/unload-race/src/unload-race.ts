import {
  type BugReport,
  type CleanVerdict,
  explore,
  labBugReport,
  replay,
  scenarioNamed,
  type Verdict,
  type ViolationVerdict,
} from '@coupling-lab/explorer';
import {
  RegisterOpsNoOwnerStrategy,
  RegisterOpsStrategy,
  RegisterOpsUnlockedStrategy,
} from '@coupling-lab/strategy-register-ops';

/** The catalogue entry: `rmmod kvm_vfio` racing a VM that creates its kvm-vfio device and closes it. */
export const SCENARIO = 'rmmod-kvm_vfio-vs-create-device';
/** Who runs each of its threads. */
export const THREAD_NAMES: readonly string[] = ['QEMU', 'admin shell'];

export interface UnloadRace {
  /** register-ops/no-owner, convicted with its minimal schedule. */
  readonly convicted: ViolationVerdict;
  /** Its report: who faulted, the two-column interleaving, the trace tail, the replay command. */
  readonly convictedReport: BugReport;
  /** That schedule re-executed. */
  readonly replayed: Verdict;
  /** register-ops/unlocked: its window is inside CREATE_DEVICE, so its schedule nests. */
  readonly nested: ViolationVerdict;
  readonly nestedReport: BugReport;
  /** The real register-ops on the same scenario, within the explorer's default bound. */
  readonly clean: CleanVerdict;
}

function mustConvict(verdict: ReturnType<typeof explore>, strategy: string): ViolationVerdict {
  if (verdict.verdict !== 'violation')
    throw new Error(`${SCENARIO}: ${strategy} was expected to be convicted, got ${verdict.verdict}`);
  return verdict;
}

/** Explores the scenario against the variants and the real strategy, and replays the conviction. */
export function unloadRace(): UnloadRace {
  const scenario = scenarioNamed(SCENARIO);
  const convicted = mustConvict(explore(scenario, RegisterOpsNoOwnerStrategy), 'register-ops/no-owner');
  const replayed = replay(scenario, RegisterOpsNoOwnerStrategy, convicted.schedule);
  const nested = mustConvict(explore(scenario, RegisterOpsUnlockedStrategy), 'register-ops/unlocked');
  const clean = explore(scenario, RegisterOpsStrategy);
  if (clean.verdict !== 'clean')
    throw new Error(`${SCENARIO}: register-ops was expected to be clean, got ${clean.verdict}`);
  const names = { threadNames: THREAD_NAMES };
  return {
    convicted,
    convictedReport: labBugReport(scenario, RegisterOpsNoOwnerStrategy, convicted, names),
    replayed,
    nested,
    nestedReport: labBugReport(scenario, RegisterOpsUnlockedStrategy, nested, names),
    clean,
  };
}
