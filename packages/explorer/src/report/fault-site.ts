import { isKernelViolation, type LinuxName } from '@coupling-lab/lab';
import { scenarioNamed } from '../catalogue/index.js';
import { replay as replayTarget, type ScenarioCore, type Step } from '../core/index.js';
import type { ScenarioRef } from '../explore-strategy.js';
import type { LabWorld } from '../lab-scenario.js';
import { labCore, labTarget } from '../lab-target.js';
import { resolveStrategy, type StrategyRef } from '../strategy-ref.js';

/**
 * Where a violation was raised: while a step ran (`step` numbers the verdict's steps from 1 in
 * the order they started; `thread` is whose), in the lab's check between top-level steps (after
 * step `after`), or in the teardown after the last step.
 */
export type FaultSite =
  | { readonly in: 'step'; readonly step: number; readonly thread: number }
  | { readonly in: 'check'; readonly after: number }
  | { readonly in: 'teardown' };

/** Notes, for the schedule being run, which step was running when the first violation was raised. */
class FaultRecorder {
  site: FaultSite | undefined;
  private starts = 0;

  reset(): void {
    this.site = undefined;
    this.starts = 0;
  }

  step<W extends LabWorld<unknown>>(step: Step<W>, thread: number): Step<W> {
    return {
      label: step.label,
      run: (world) => {
        const index = ++this.starts;
        // The innermost step sees the violation first; a nested step's is not its caller's.
        const seen = (): void => {
          if (this.site === undefined) this.site = { in: 'step', step: index, thread };
        };
        try {
          const result = step.run(world);
          // A step that caught the violation and went on (or 'record' mode) still raised it here.
          if (world.sys.kernel.violations.length > 0) seen();
          return result;
        } catch (error) {
          if (isKernelViolation(error)) seen();
          throw error;
        }
      },
    };
  }

  phase(site: FaultSite, run: () => void, raised: () => boolean): void {
    try {
      run();
    } catch (error) {
      if (this.site === undefined && isKernelViolation(error)) this.site = site;
      throw error;
    }
    if (this.site === undefined && raised()) this.site = site;
  }

  get stepsStarted(): number {
    return this.starts;
  }
}

/**
 * Re-runs `schedule` (replay is exact) with every step watched, and says where its violation
 * was raised. The verdict itself does not record who faulted: in `1 2@9` the nested step B
 * returns and A, resumed, then touches what B freed. Undefined if the schedule raises nothing.
 */
export function locateFault(
  scenario: ScenarioRef,
  strategy: StrategyRef,
  schedule: string,
  linux?: LinuxName,
): FaultSite | undefined {
  const entry = typeof scenario === 'string' ? scenarioNamed(scenario) : scenario;
  const resolved = resolveStrategy(strategy);
  const core = labCore(entry);
  const recorder = new FaultRecorder();
  const watched: ScenarioCore<LabWorld<unknown>> = {
    ...core,
    threads: core.threads.map((steps, index) => steps.map((step) => recorder.step(step, index + 1))),
    check: (world, kernel) =>
      recorder.phase(
        { in: 'check', after: recorder.stepsStarted },
        () => core.check?.(world, kernel),
        () => kernel.violations.length > 0,
      ),
    teardown: (world, kernel) =>
      recorder.phase(
        { in: 'teardown' },
        () => core.teardown(world, kernel),
        () => kernel.violations.length > 0,
      ),
  };
  const target = labTarget(entry, resolved, linux);
  const verdict = replayTarget(
    watched,
    {
      boot: (lockdep) => {
        // A schedule string may lead with lock-order witnesses: only the last run's fault counts.
        recorder.reset();
        return target.boot(lockdep);
      },
    },
    schedule,
  );
  return verdict.verdict === 'violation' ? recorder.site : undefined;
}
