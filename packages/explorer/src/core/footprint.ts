import type { Kernel, PreemptionPoint, Task } from '@coupling-lab/kernel';

/** Resource keys a footprint can hold; key 0 is "anything" (conflicts with every footprint). */
const WORDS = 8;
const KEYS = WORDS * 32;
export const ANYTHING = 0;

/**
 * What a stretch of execution may have touched, as a set of resource keys (a bitset) and the
 * threads that ran in it. Two footprints are dependent if they share a key, either holds key 0
 * (`ANYTHING`), or one ran a thread the other did (a thread's steps are ordered).
 */
export class Footprint {
  readonly words = new Uint32Array(WORDS);
  threads = 0;

  clear(): void {
    this.words.fill(0);
    this.threads = 0;
  }

  add(key: number): void {
    const word = key >>> 5;
    this.words[word] = (this.words[word] ?? 0) | (1 << (key & 31));
  }

  /** Whether no key was added since the last clear (the threads aside). */
  isEmpty(): boolean {
    for (let i = 0; i < WORDS; i++) if ((this.words[i] ?? 0) !== 0) return false;
    return true;
  }

  addAll(other: Footprint): void {
    for (let i = 0; i < WORDS; i++) this.words[i] = (this.words[i] ?? 0) | (other.words[i] ?? 0);
    this.threads |= other.threads;
  }

  copy(): Footprint {
    const copy = new Footprint();
    copy.addAll(this);
    return copy;
  }

  /** Whether two footprints do not commute: a shared thread or key, or either holds ANYTHING. */
  dependent(other: Footprint): boolean {
    if ((this.threads & other.threads) !== 0) return true;
    const mine = this.words;
    const theirs = other.words;
    if (((mine[0] ?? 0) & 1) !== 0 || ((theirs[0] ?? 0) & 1) !== 0) return true;
    for (let i = 0; i < WORDS; i++) if (((mine[i] ?? 0) & (theirs[i] ?? 0)) !== 0) return true;
    return false;
  }

  /** Whether a segment of `thread` with keys `keys` does not commute with this footprint. */
  conflicts(keys: Footprint, thread: number): boolean {
    if ((this.threads & (1 << thread)) !== 0) return true;
    const mine = this.words;
    const theirs = keys.words;
    if (((mine[0] ?? 0) & 1) !== 0 || ((theirs[0] ?? 0) & 1) !== 0) return true;
    for (let i = 0; i < WORDS; i++) if (((mine[i] ?? 0) & (theirs[i] ?? 0)) !== 0) return true;
    return false;
  }
}

/**
 * The dependence relation's vocabulary: each preemption point names what its primitive acts on
 * (a module's refcount or state, a symbol, a lock class, a file, the ops table) and the code that
 * follows it until the next point acts on that object's module. A point is mapped to the keys:
 *
 * - `module-get`/`module-put`/`module-state` M: `module:M` (its refcount, its state, its exit);
 * - `symbol-lookup` S and `call` S: `symbol:S` and the owner's `module:` key (the callee's code
 *   runs until the next point; a call through an ops table whose owner is not a symbol's is
 *   `ANYTHING`);
 * - `lock`/`unlock` L: `lock:L`; `file-get`/`file-put`/`task-work` F: `file:F`; `ops-access`:
 *   `ops:T`;
 * - and always `task:T` for the task whose syscall runs (its fd table, its pending task work).
 *
 * Keys beyond the bitset's size fall back to `ANYTHING`. This is conservative on purpose: a
 * segment is charged with every key its step met so far (see Reduction), not only its own.
 */
export class KeySpace {
  private readonly ids = new Map<string, number>();
  private readonly tasks = new Map<string, number>();
  private readonly modules = new Map<string, number>();
  private readonly symbols = new Map<string, number>();
  private readonly locks = new Map<string, number>();
  private readonly files = new Map<string, number>();
  private readonly ops = new Map<string, number>();
  private readonly noTask: number;
  /** Every wait queue: sleeping on one, being woken from one, calling wake_up. */
  readonly waitQueues: number;
  private lastTask: Task | null = null;
  private lastTaskKey: number;

  constructor() {
    this.ids.set('*', ANYTHING);
    this.noTask = this.id('task:-');
    this.waitQueues = this.id('wait-queues');
    this.lastTaskKey = this.noTask;
  }

  id(name: string): number {
    let id = this.ids.get(name);
    if (id === undefined) {
      id = this.ids.size < KEYS ? this.ids.size : ANYTHING;
      this.ids.set(name, id);
    }
    return id;
  }

  /** Adds the keys of preemption point `point` on `subject` to `into`. */
  charge(into: Footprint, kernel: Kernel, point: PreemptionPoint, subject: string): void {
    into.add(this.taskKey(kernel.current));
    switch (point) {
      case 'module-get':
      case 'module-put':
      case 'module-state':
        into.add(this.known(this.modules, 'module', subject));
        return;
      case 'symbol-lookup':
      case 'call': {
        into.add(this.known(this.symbols, 'symbol', subject));
        const owner = kernel.symbolOwner(subject);
        into.add(owner === undefined ? ANYTHING : this.known(this.modules, 'module', owner));
        return;
      }
      case 'lock':
      case 'unlock':
        into.add(this.known(this.locks, 'lock', subject));
        return;
      case 'file-get':
      case 'file-put':
      case 'task-work':
        into.add(this.known(this.files, 'file', subject));
        return;
      case 'ops-access':
        into.add(this.known(this.ops, 'ops', subject));
        return;
      default:
        into.add(ANYTHING);
    }
  }

  /** The key of the task whose syscall runs: the same task for every point of a step, so the last one is kept. */
  private taskKey(task: Task | null): number {
    if (task === this.lastTask) return this.lastTaskKey;
    const key = task === null ? this.noTask : this.known(this.tasks, 'task', task.name);
    this.lastTask = task;
    this.lastTaskKey = key;
    return key;
  }

  /** The id of key `kind:name`, looked up by name in that kind's table (no string built once known). */
  private known(table: Map<string, number>, kind: string, name: string): number {
    const id = table.get(name);
    if (id !== undefined) return id;
    const made = this.id(`${kind}:${name}`);
    table.set(name, made);
    return made;
  }
}
