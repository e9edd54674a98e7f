/**
 * lockdep's ordering rule: two lock classes ever taken in both orders are an inversion, whether
 * or not a deadlock actually happened. One graph may span many boots (the explorer shares it
 * across every schedule it runs).
 */
export class LockDep {
  private readonly after = new Map<string, Set<string>>();

  /** Records "`held` was held while `taken` was taken"; returns true if the opposite order was seen. */
  record(held: string, taken: string): boolean {
    let successors = this.after.get(held);
    if (successors === undefined) {
      successors = new Set();
      this.after.set(held, successors);
    }
    successors.add(taken);
    return this.after.get(taken)?.has(held) === true;
  }

  /** Every ordered pair seen, as `held -> taken`. */
  edges(): string[] {
    return [...this.after].flatMap(([held, takens]) => [...takens].map((taken) => `${held} -> ${taken}`));
  }
}
