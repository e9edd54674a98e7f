// Suggested run sizes. With ~6 subjects (5 strategies and the no-model floor), the harness floor
// and ~5 operations, a round is ~35 cells; every process adds one warm-up round. quick ≈
// (9 + 3) × 35 × 18 ms ≈ 8 s; full ≈ (25 + 5) × 35 × 110 ms ≈ 2 min. The intervals resample
// processes (see processes.ts), so they are only as good as their number: in synthetic tests a
// nominal 95% interval covered the truth ~88% of the time with 4-6 processes, ~50% with 2.
export interface TimingPreset {
  rounds: number;
  processes: number;
  budgetMsPerCell: number;
}

export const timingPresets = {
  quick: { rounds: 9, processes: 3, budgetMsPerCell: 15 },
  full: { rounds: 25, processes: 5, budgetMsPerCell: 100 },
} as const satisfies Record<string, TimingPreset>;
