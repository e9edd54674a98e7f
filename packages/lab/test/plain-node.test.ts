import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { errno } from '@coupling-lab/lab';

const dist = join(__dirname, '..', 'dist', 'index.js');

/**
 * Runs in a plain node process, from outside the workspace: no jest, no reflect-metadata set-up,
 * no decorators. Strategies are a plain object and a plain class.
 */
const script = `
const before = typeof Reflect.getMetadata;
const lab = require(${JSON.stringify(dist)});
const { boot, registerStrategy, standardModules, externalUserExports, kvmVfioOps, errno, KVM, VFIO } = lab;

function symbolGetPort(kernel) {
  const call = (name, ...args) => {
    const fn = kernel.symbolGet(name);
    if (fn === null) return undefined;
    try { return fn(...args); } finally { kernel.symbolPut(name); }
  };
  return {
    acquire: (file) => call('vfio_group_get_external_user', file) ?? -errno.EINVAL,
    release: (group) => { call('vfio_group_put_external_user', group); },
    same: (a, b) => a === b,
    matchesFile: (group, file) => call('vfio_external_group_match_file', group, file) === true,
    isCoherent: (group) => (call('vfio_external_check_extension', group, VFIO.DMA_CC_IOMMU) ?? 0) > 0,
    setKvm: (group, vm) => { call('vfio_group_set_kvm', group, vm); },
  };
}
const modules = (machine) => standardModules(machine, {
  vfioExports: [externalUserExports],
  kvm: { builtinVfioDevice: ({ kernel }) => kvmVfioOps(kernel, symbolGetPort(kernel)) },
});

const plain = { name: 'plain', summary: 'a plain object', runtimeEdges: [], modules };
const sys = boot({ strategy: plain });
sys.modprobe('vfio_pci'); sys.modprobe('kvm');
const p = sys.spawn('qemu');
const container = p.open('/dev/vfio/vfio');
const group = p.open('/dev/vfio/26');
const results = [];
results.push(p.ioctl(group, VFIO.GROUP_SET_CONTAINER, p.userInt32(container)));
results.push(p.ioctl(container, VFIO.SET_IOMMU, VFIO.TYPE1v2_IOMMU));
const vm = p.ioctl(p.open('/dev/kvm'), KVM.CREATE_VM);
const dev = p.ioctl(vm, KVM.CREATE_DEVICE, { type: KVM.DEV_TYPE_VFIO });
results.push(p.ioctl(dev, KVM.SET_DEVICE_ATTR, { group: KVM.DEV_VFIO_GROUP, attr: KVM.DEV_VFIO_GROUP_ADD, addr: p.userInt32(group) }));
results.push(sys.rmmod('vfio'));

class PlainClass {
  constructor() { this.name = 'plain-class'; this.summary = 'a plain class'; this.runtimeEdges = []; }
  modules(machine) { return modules(machine); }
}
registerStrategy(PlainClass);
const byName = boot({ strategy: 'plain-class' });

console.log(JSON.stringify({
  reflectMetadata: { before, after: typeof Reflect.getMetadata },
  results,
  inspect: sys.inspect(),
  byName: { strategy: byName.strategy.name, modules: byName.modules, teardown: byName.teardown() },
  teardown: sys.teardown(),
}));
`;

test('a built @coupling-lab/lab boots from plain node with plain-object and plain-class strategies, no decorator set-up', () => {
  if (!existsSync(dist)) throw new Error(`${dist} does not exist: run \`pnpm build\` before jest`);
  const output = execFileSync(process.execPath, ['-e', script], { cwd: tmpdir(), encoding: 'utf8' });
  const parsed = JSON.parse(output) as unknown;
  expect(parsed).toEqual({
    reflectMetadata: { before: 'undefined', after: 'function' },
    results: [0, 0, 0, -errno.EWOULDBLOCK],
    inspect: {
      modules: [
        { name: 'kvm', state: 'LIVE', refcount: 4, usedBy: [] },
        { name: 'vfio', state: 'LIVE', refcount: 3, usedBy: ['vfio_pci'] },
        { name: 'vfio_pci', state: 'LIVE', refcount: 0, usedBy: [] },
      ],
      vms: [{ id: 1, devices: ['kvm-vfio'], assignedDevices: 1, noncoherentDma: 0 }],
      groups: [
        { id: 26, open: 1, containerUsers: 2, kvm: 1 },
        { id: 27, open: 0, containerUsers: 0, kvm: null },
      ],
      sleeping: [],
      violations: [],
      tainted: false,
    },
    byName: { strategy: 'plain-class', modules: ['vfio', 'vfio_pci', 'kvm'], teardown: [] },
    teardown: [],
  });
});
