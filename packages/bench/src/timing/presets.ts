// Suggested run sizes. With 7 subjects (5 strategies, the no-model floor, direct with a hook), the
// harness floor and 5 operations, a round is 40 cells; every process adds one warm-up round.
// Measured here per kernel: quick ≈ 17 s, full ≈ 110 s (compare --quick --linux all: 41 s, under
// 60 s: issue 14). The intervals resample
// processes (see processes.ts), so they are only as good as their number: in synthetic tests a
// nominal 95% interval covered the truth ~88% of the time with 4-6 processes, ~50% with 2.
export interface TimingPreset {
  rounds: number;
  processes: number;
  budgetMsPerCell: number;
}

export const timingPresets = {
  quick: { rounds: 5, processes: 3, budgetMsPerCell: 10 },
  full: { rounds: 25, processes: 5, budgetMsPerCell: 70 },
} as const satisfies Record<string, TimingPreset>;
