// Runs the C harness (native/primitive-costs.c): compiled at run time with the system's C compiler
// and -O2, run once, its JSON read back. Without a compiler, or if anything fails, the published
// fallback table stands in and says why.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { publishedCostTable } from './published.js';
import { type CostTable, type PrimitiveCost, primitiveNames, type PrimitiveName } from './primitives.js';

/** The harness's one C file; it ships with the package (native/), beside src/ and dist/. */
export const harnessSource = join(__dirname, '..', '..', 'native', 'primitive-costs.c');

export interface HarnessOptions {
  /** Fewer, shorter samples (11 of 1 ms per primitive instead of 31 of 2 ms). */
  readonly quick?: boolean;
  /** The compiler; `$CC`, else `cc`, looked up on the PATH of `env`. */
  readonly cc?: string;
  /** The environment the compiler and the harness run in (this process's by default). */
  readonly env?: NodeJS.ProcessEnv;
}

const firstLine = (text: string): string => text.trim().split('\n')[0] ?? '';

/** Times every primitive natively, or returns the published table with the reason it had to. */
export function measurePrimitiveCosts(options: HarnessOptions = {}): CostTable {
  const env = options.env ?? process.env;
  const cc = options.cc ?? env['CC'] ?? 'cc';
  const started = performance.now();
  const dir = mkdtempSync(join(tmpdir(), 'coupling-lab-costs-'));
  try {
    const binary = join(dir, 'primitive-costs');
    const compile = spawnSync(cc, ['-O2', '-o', binary, harnessSource], {
      env,
      encoding: 'utf8',
      timeout: 60_000,
    });
    if (compile.error !== undefined) {
      const missing = (compile.error as NodeJS.ErrnoException).code === 'ENOENT';
      return publishedCostTable(
        missing
          ? `no C compiler (${cc} is not on the PATH)`
          : `${cc} could not run: ${compile.error.message}`,
      );
    }
    if (compile.status !== 0)
      return publishedCostTable(`${cc} -O2 failed on the harness: ${firstLine(compile.stderr)}`);
    const args = options.quick === true ? ['11', '1'] : ['31', '2'];
    const run = spawnSync(binary, args, { env, encoding: 'utf8', timeout: 60_000 });
    if (run.error !== undefined || run.status !== 0)
      return publishedCostTable(
        `the harness failed: ${run.error?.message ?? firstLine(run.stderr) ?? `exit ${run.status}`}`,
      );
    try {
      return parseHarnessOutput(run.stdout, performance.now() - started);
    } catch (error) {
      return publishedCostTable(
        `the harness's output was not usable: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

interface HarnessJson {
  compiler: string;
  retpoline: boolean;
  vmlinuxSymbols: number;
  modules: number;
  ownerPosition: number;
  clockResolutionNs: number;
  primitives: {
    name: string;
    kernel: string;
    median_ns: number;
    q1_ns: number;
    q3_ns: number;
  }[];
}

/** The harness's stdout as a cost table; throws on anything missing or not a positive, ordered figure. */
export function parseHarnessOutput(stdout: string, elapsedMs?: number): CostTable {
  const json = JSON.parse(stdout) as HarnessJson;
  const primitives: Partial<Record<PrimitiveName, PrimitiveCost>> = {};
  for (const name of primitiveNames) {
    const entry = json.primitives.find((p) => p.name === name);
    if (entry === undefined) throw new Error(`the harness did not time ${name}`);
    const { median_ns: medianNs, q1_ns: q1Ns, q3_ns: q3Ns } = entry;
    if (!(medianNs > 0 && q1Ns > 0 && q1Ns <= medianNs && medianNs <= q3Ns && Number.isFinite(q3Ns)))
      throw new Error(
        `the harness gave ${name} no positive, ordered figures (${q1Ns}, ${medianNs}, ${q3Ns})`,
      );
    primitives[name] = { medianNs, q1Ns, q3Ns, basis: entry.kernel };
  }
  return {
    source: 'harness',
    detail: json.compiler,
    retpoline: json.retpoline,
    symbolTable: {
      vmlinuxSymbols: json.vmlinuxSymbols,
      modules: json.modules,
      ownerPosition: json.ownerPosition,
    },
    clockResolutionNs: json.clockResolutionNs,
    ...(elapsedMs === undefined ? {} : { elapsedMs }),
    primitives: primitives as Record<PrimitiveName, PrimitiveCost>,
  };
}
