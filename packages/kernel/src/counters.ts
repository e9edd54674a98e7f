/** Running totals the kernel keeps (SPEC 12). `sys.counters` is a snapshot; subtract two to cost an operation. */
export interface CounterSnapshot {
  readonly symbolLookups: number;
  readonly moduleGets: number;
  readonly modulePuts: number;
  readonly crossModuleCalls: number;
  readonly indirectCalls: number;
  readonly lockAcquisitions: number;
}

export const counterNames: readonly (keyof CounterSnapshot)[] = [
  'symbolLookups',
  'moduleGets',
  'modulePuts',
  'crossModuleCalls',
  'indirectCalls',
  'lockAcquisitions',
];

/**
 * Plain number fields, incremented in place: counting allocates nothing. `symbolPuts` is kept
 * beside the snapshot's six (SPEC 12 fixes those): __symbol_put runs find_symbol again before its
 * module_put [kernel/module/main.c], so pricing a coupling needs it (@coupling-lab/bench).
 */
export class Counters implements CounterSnapshot {
  symbolPuts = 0;
  /** wake_up calls, whether or not they woke anyone: the explorer's reduction reads them (a segment that wakes touches a wait queue). */
  wakeUps = 0;
  symbolLookups = 0;
  moduleGets = 0;
  modulePuts = 0;
  crossModuleCalls = 0;
  indirectCalls = 0;
  lockAcquisitions = 0;

  snapshot(): CounterSnapshot {
    return {
      symbolLookups: this.symbolLookups,
      moduleGets: this.moduleGets,
      modulePuts: this.modulePuts,
      crossModuleCalls: this.crossModuleCalls,
      indirectCalls: this.indirectCalls,
      lockAcquisitions: this.lockAcquisitions,
    };
  }
}

/** `after - before`, field by field. */
export function countersDelta(before: CounterSnapshot, after: CounterSnapshot): CounterSnapshot {
  return {
    symbolLookups: after.symbolLookups - before.symbolLookups,
    moduleGets: after.moduleGets - before.moduleGets,
    modulePuts: after.modulePuts - before.modulePuts,
    crossModuleCalls: after.crossModuleCalls - before.crossModuleCalls,
    indirectCalls: after.indirectCalls - before.indirectCalls,
    lockAcquisitions: after.lockAcquisitions - before.lockAcquisitions,
  };
}
