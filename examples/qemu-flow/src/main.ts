import { registeredStrategyNames } from '@coupling-lab/lab';
import { formatTrace, qemuFlow } from './qemu-flow.js';

const strategy = process.argv[2] ?? 'get-ops';
const names = registeredStrategyNames();
if (!names.includes(strategy)) {
  process.stderr.write(`qemu-flow: unknown strategy "${strategy}"; valid: ${names.join(', ')}\n`);
  process.exit(2);
}
const { lines, sys } = qemuFlow(strategy);
process.stdout.write(`QEMU's VFIO + KVM sequence with ${strategy}\n\n${formatTrace(lines)}\n\n`);
const stuck = sys.teardown();
process.stdout.write(
  stuck.length === 0
    ? 'teardown: every module unloaded, no violation\n'
    : `teardown: could not unload ${stuck.join(', ')}\n`,
);
