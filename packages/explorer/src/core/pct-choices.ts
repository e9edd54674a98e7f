import type { DecisionSource } from './decisions.js';
import type { Prng } from './prng.js';

/**
 * PCT, probabilistic concurrency testing (Burckhardt, Kothari, Musuvathi and Nagarakatte,
 * ASPLOS'10): each schedule gives the threads distinct random priorities d+1..d+n and picks
 * d-1 random change points among the preemption points (k, the most points a schedule has shown
 * so far); the highest-priority thread that can run goes, and at the i-th change point the
 * running thread's priority drops to i, below every initial one. A bug of depth d (d ordering
 * constraints) is then found in each schedule with probability at least 1/(n k^(d-1)).
 *
 * Under run-to-completion nesting a thread cannot be switched away from mid-step: "the
 * higher-priority thread goes" means its next step runs nested at that point (up to maxDepth),
 * and the running step resumes when it returns.
 */
export class PctChoices implements DecisionSource {
  private readonly priority: number[] = [];
  private readonly changeAt = new Map<number, number>();
  /** Points in the longest schedule so far (the k of the paper); a guess before the first. */
  private points = 32;

  constructor(
    private readonly prng: Prng,
    private readonly threads: number,
    private readonly depth: number,
  ) {}

  begin(): void {
    const order = Array.from({ length: this.threads }, (_, i) => i + 1);
    for (let i = order.length - 1; i > 0; i--) {
      const j = this.prng.below(i + 1);
      [order[i], order[j]] = [order[j] ?? 0, order[i] ?? 0];
    }
    order.forEach((thread, rank) => (this.priority[thread] = this.depth + 1 + rank));
    this.changeAt.clear();
    for (let change = 1; change < this.depth; change++) {
      let point = 1 + this.prng.below(this.points);
      while (this.changeAt.has(point) && this.changeAt.size < this.points)
        point = 1 + this.prng.below(this.points);
      this.changeAt.set(point, change);
    }
  }

  top(candidates: Int32Array, count: number): number {
    return this.highest(candidates, count);
  }

  nest(candidates: Int32Array, count: number, point: number, running = 0): number {
    if (point > this.points) this.points = point;
    const change = this.changeAt.get(point);
    if (change !== undefined) this.priority[running] = change;
    const best = this.highest(candidates, count);
    const thread = candidates[best] ?? 0;
    return (this.priority[thread] ?? 0) > (this.priority[running] ?? 0) ? best : -1;
  }

  private highest(candidates: Int32Array, count: number): number {
    let best = 0;
    for (let i = 1; i < count; i++) {
      if ((this.priority[candidates[i] ?? 0] ?? 0) > (this.priority[candidates[best] ?? 0] ?? 0)) best = i;
    }
    return best;
  }
}
