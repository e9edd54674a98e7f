import { boot, errnoName } from '@coupling-lab/lab';
import { BrokerStrategy, brokerTour, formatTour } from './index.js';

const out = (text: string): boolean => process.stdout.write(`${text}\n`);
const result = (value: number): string => (value < 0 ? `-${errnoName(value) ?? -value}` : String(value));
const strategy = new BrokerStrategy();
const { lines, sys } = brokerTour();

out(`${strategy.name}: ${strategy.summary}\n`);
out(`modules, in load order: ${sys.modules.join(', ')}\n`);
out(`After modprobe, QEMU's set-up and a kvm-vfio device on its VM:\n\n${formatTour(lines)}\n`);
out('lsmod with the VM holding group 26:');
out(`  ${'Module'.padEnd(16)} Refs  Used by`);
for (const module of sys.inspect().modules)
  out(
    `  ${module.name.padEnd(16)} ${String(module.refcount).padStart(4)}  ${module.usedBy.join(', ')}`.trimEnd(),
  );
const stuck = sys.teardown();
out(
  stuck.length === 0
    ? '\nteardown: every module unloaded, no violation\n'
    : `\nteardown: could not unload ${stuck.join(', ')}\n`,
);

// What kvm is coupled to: the broker, not VFIO.
const alone = boot({ strategy: BrokerStrategy });
const insmod = result(alone.insmod('kvm'));
const modprobe = result(alone.modprobe('kvm'));
const loaded = alone.inspect().modules.map((module) => module.name);
out(
  `kvm without VFIO: insmod kvm = ${insmod} (it imports broker_get and broker_put); ` +
    `modprobe kvm = ${modprobe}, loading ${loaded.join(' and ')}`,
);
