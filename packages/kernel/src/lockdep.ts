/** One edge of lockdep's graph: `taken` was acquired while `held` was the innermost lock held. */
export interface LockDependency {
  readonly held: string;
  readonly taken: string;
}

/**
 * lockdep's dependency graph of lock classes [kernel/locking/lockdep.c]. Each acquisition adds
 * the edge from the innermost held lock to the new one (check_prevs_add); a new edge whose
 * target already leads back to its source closes a cycle of any length (check_noncircular), a
 * possible deadlock whether or not one happened. One graph may span many boots (the explorer
 * shares it across every schedule it runs).
 */
export class LockDep {
  private readonly after = new Map<string, Set<string>>();

  /**
   * Records `held -> taken`. If the edge is new and closes a cycle, returns the cycle: the new
   * edge first, then the recorded path back from `taken` to `held`. A known edge was checked
   * when it was added, so it returns undefined.
   */
  record(held: string, taken: string): readonly LockDependency[] | undefined {
    let successors = this.after.get(held);
    if (successors?.has(taken) === true) return undefined;
    const back = this.path(taken, held);
    if (successors === undefined) {
      successors = new Set();
      this.after.set(held, successors);
    }
    successors.add(taken);
    this.added(held, taken);
    return back === undefined ? undefined : [{ held, taken }, ...back];
  }

  /** Whether `record(held, taken)` would close a cycle, without recording anything. */
  wouldCloseCycle(held: string, taken: string): boolean {
    if (this.after.get(held)?.has(taken) === true) return false;
    return this.path(taken, held) !== undefined;
  }

  /** Called once for each new edge (the explorer remembers which schedule took it first). */
  protected added(_held: string, _taken: string): void {}

  /** Every edge seen, as `held -> taken`. */
  edges(): string[] {
    return [...this.after].flatMap(([held, takens]) => [...takens].map((taken) => `${held} -> ${taken}`));
  }

  /** A shortest path of recorded edges from `from` to `to` (breadth first), or undefined. */
  private path(from: string, to: string): LockDependency[] | undefined {
    const cameFrom = new Map<string, string>();
    const queue = [from];
    for (let head = 0; head < queue.length; head++) {
      const node = queue[head] as string;
      if (node === to) {
        const path: LockDependency[] = [];
        for (let at = to; at !== from;) {
          const previous = cameFrom.get(at) as string;
          path.unshift({ held: previous, taken: at });
          at = previous;
        }
        return path;
      }
      for (const next of this.after.get(node) ?? []) {
        if (next !== from && !cameFrom.has(next)) {
          cameFrom.set(next, node);
          queue.push(next);
        }
      }
    }
    return undefined;
  }
}
