import assert from 'node:assert/strict';
import { type ErrnoName, type System, VFIO } from '@coupling-lab/lab';
import { agreedState, expectRefused, expectResult, onKernel } from '../assertions.js';
import type { ConformanceCase } from '../conformance/case.js';
import {
  COHERENT_GROUP,
  createVfioDevice,
  createVm,
  DEVICE_IN_GROUP,
  groupAdd,
  groupDel,
  openContainer,
  openGroup,
  qemu,
} from '../fixtures.js';

function moduleState(sys: System, name: string): string | undefined {
  return sys.inspect().modules.find((module) => module.name === name)?.state;
}

/** vfio_pci is GOING, its unload asleep in vfio_unregister_group_dev on the group's container_q. */
function unloadWaits(sys: System): void {
  assert.equal(moduleState(sys, 'vfio_pci'), 'GOING', 'vfio_pci is GOING while its unbind waits');
  assert.deepEqual(
    sys.inspect().sleeping.map((sleeping) => [sleeping.syscall, sleeping.waitsOn]),
    [['delete_module(vfio_pci)', `vfio group ${COHERENT_GROUP} container_q`]],
    "the unload sleeps on the group's container_q",
  );
}

/**
 * What open files and live objects pin (SPEC 3, 4, 5). Only refusals every strategy shares are
 * asserted: which unloads succeed with nothing open is the load/unload matrix of SPEC 8, where
 * strategies differ by design.
 */
export const modulePinningCases: readonly ConformanceCase[] = [
  {
    name: 'pinning: rmmod vfio is -EWOULDBLOCK while a group or container fd is open',
    run(sys) {
      sys.modprobeAll();
      const p = sys.spawn('qemu');
      const group = openGroup(p, COHERENT_GROUP);
      // vfio_pci uses vfio; with it gone only the open files pin vfio (and, for some strategies, kvm).
      expectResult(sys.rmmod('vfio_pci'), 0, 'rmmod vfio_pci with no group in a container');
      expectRefused(sys, 'rmmod vfio with a group fd open', 'EWOULDBLOCK', () => sys.rmmod('vfio'));
      expectResult(p.close(group), 0, 'close(group)');
      const container = openContainer(p);
      expectRefused(sys, 'rmmod vfio with a container fd open', 'EWOULDBLOCK', () => sys.rmmod('vfio'));
      expectResult(p.ioctl(container, VFIO.GET_API_VERSION), 0, 'the container still works');
    },
  },
  {
    name: 'pinning: rmmod vfio_pci is -EWOULDBLOCK while a device fd is open; with its group in a container it sleeps (v5.17) or detaches it (v6.6)',
    run(sys) {
      sys.modprobeAll();
      const p = sys.spawn('qemu');
      const group = openGroup(p, COHERENT_GROUP);
      const container = openContainer(p);
      expectResult(p.ioctl(group, VFIO.GROUP_SET_CONTAINER, p.userInt32(container)), 0, 'SET_CONTAINER');
      expectResult(p.ioctl(container, VFIO.SET_IOMMU, VFIO.TYPE1v2_IOMMU), 0, 'SET_IOMMU');
      const name = p.userString(DEVICE_IN_GROUP[COHERENT_GROUP] ?? '');
      const device = p.ioctl(group, VFIO.GROUP_GET_DEVICE_FD, name);
      assert.ok(device >= 0, 'GET_DEVICE_FD');
      // vfio_device_open's try_module_get: delete_module refuses a module with references.
      expectRefused(sys, 'rmmod vfio_pci with a device fd open', 'EWOULDBLOCK', () => sys.rmmod('vfio_pci'));
      expectResult(p.close(device), 0, 'close(device fd)');
      if (sys.linux.name === 'v6.6') {
        // v6.6 vfio_device_remove_group detaches the group from its container at once (no container_q since v5.19).
        expectResult(sys.rmmod('vfio_pci'), 0, 'rmmod vfio_pci with the group in a container');
        expectResult(p.ioctl(group, VFIO.GROUP_GET_STATUS), 'ENODEV', 'the unbound group has no iommu_group');
        return;
      }
      // v5.17 vfio_unregister_group_dev waits on container_q while the group is in its container.
      expectResult(sys.rmmod('vfio_pci'), 'EINPROGRESS', 'rmmod vfio_pci with the group in a container');
      unloadWaits(sys);
      expectResult(
        p.ioctl(group, VFIO.GROUP_GET_DEVICE_FD, name),
        'ENODEV',
        'GET_DEVICE_FD while vfio_pci unbinds',
      );
      expectResult(p.ioctl(group, VFIO.GROUP_UNSET_CONTAINER), 0, 'UNSET_CONTAINER');
      assert.equal(
        moduleState(sys, 'vfio_pci'),
        undefined,
        'the unbind finished once the group left its container',
      );
      expectResult(p.ioctl(group, VFIO.GROUP_GET_STATUS), 0, 'the open group is no longer viable');
    },
  },
  {
    name: 'pinning: rmmod vfio_pci while a VM holds a group sleeps until the VM lets go, then completes (v5.17; at once on v6.6)',
    run(sys) {
      sys.modprobeAll();
      const q = qemu(sys);
      const p = q.process;
      const group = q.group(COHERENT_GROUP);
      if (sys.linux.name === 'v6.6') {
        // v6.6: the unbind detaches the group under KVM, which keeps the group file until it lets go.
        expectResult(sys.rmmod('vfio_pci'), 0, 'rmmod vfio_pci while a VM holds a group');
        assert.deepEqual(
          sys.inspect().groups.map((g) => [g.id, g.kvm, g.containerUsers]),
          [[COHERENT_GROUP, 1, 0]],
          'group 26, out of its container, still associated with VM 1',
        );
        expectResult(groupDel(p, q.device, group), 0, 'GROUP_DEL of the unbound group');
        return;
      }
      expectResult(sys.rmmod('vfio_pci'), 'EINPROGRESS', 'rmmod vfio_pci while a VM holds a group');
      unloadWaits(sys);
      const name = p.userString(DEVICE_IN_GROUP[COHERENT_GROUP] ?? '');
      expectResult(
        p.ioctl(group, VFIO.GROUP_GET_DEVICE_FD, name),
        'ENODEV',
        'GET_DEVICE_FD while vfio_pci unbinds',
      );
      expectResult(p.close(group), 0, 'close(group)');
      expectResult(p.close(q.container(COHERENT_GROUP)), 0, 'close(container)');
      // KVM is one of the group's container users (SPEC 8): the unbind still waits.
      unloadWaits(sys);
      expectResult(p.close(q.device), 0, 'close(device)');
      expectResult(p.close(q.vm), 0, 'close(VM)');
      assert.equal(moduleState(sys, 'vfio_pci'), undefined, 'vfio_pci unloaded once the VM let the group go');
      assert.deepEqual(sys.inspect().sleeping, [], 'nothing sleeps any more');
    },
  },
  {
    name: 'pinning: rmmod kvm is -EWOULDBLOCK while /dev/kvm is open or a VM exists',
    run(sys) {
      sys.modprobeAll();
      const p = sys.spawn('qemu');
      const { kvm, vm } = createVm(p);
      const device = createVfioDevice(p, vm);
      expectRefused(sys, 'rmmod kvm with /dev/kvm, a VM and a device open', 'EWOULDBLOCK', () =>
        sys.rmmod('kvm'),
      );
      expectResult(p.close(kvm), 0, 'close(/dev/kvm)');
      expectRefused(sys, 'rmmod kvm with a VM fd open', 'EWOULDBLOCK', () => sys.rmmod('kvm'));
      expectResult(p.close(vm), 0, 'close(VM fd)');
      // The device fd keeps the VM alive, and the VM holds kvm (kvm_create_vm).
      expectRefused(sys, 'rmmod kvm with only a device fd keeping the VM alive', 'EWOULDBLOCK', () =>
        sys.rmmod('kvm'),
      );
      expectResult(p.close(device), 0, 'close(device fd)');
      assert.deepEqual(sys.inspect().vms, [], 'the VM is gone');
    },
  },
  {
    name: "pinning: no module can be unloaded from under a VM that holds a group (vfio_pci's unbind waits for it on v5.17)",
    run(sys) {
      sys.modprobeAll();
      const q = qemu(sys);
      const p = q.process;
      const group = q.group(COHERENT_GROUP);
      const before = agreedState(sys);
      // Every module of the strategy (kvm_vfio too, for register-ops), last loaded first.
      const refused = [...sys.modules].reverse().map((name) => [name, sys.rmmod(name)] as const);
      const v66 = sys.linux.name === 'v6.6';
      if (!v66 && refused.some(([name]) => name === 'vfio_pci')) unloadWaits(sys);
      // Whatever the rmmods did, the VM must still work: a module gone from under it shows here. On
      // v6.6 vfio_pci does go (the unbind detaches the groups), so only the VM is compared there.
      if (v66) assert.deepEqual(agreedState(sys).vms, before.vms, 'the rmmods changed the VM');
      else assert.deepEqual(agreedState(sys), before, 'the failed rmmods changed the VM or its groups');
      expectResult(groupDel(p, q.device, group), 0, 'GROUP_DEL after the rmmods');
      expectResult(groupAdd(p, q.device, group), 0, 'GROUP_ADD again');
      // vfio_pci: v5.17 sleeps on container_q; v6.6 unbinds at once, the VM keeping the group's file.
      const vfioPci = onKernel<ErrnoName | number>(sys, { 'v5.17': 'EINPROGRESS', 'v6.6': 0 });
      for (const [name, result] of refused)
        expectResult(
          result,
          name === 'vfio_pci' ? vfioPci : 'EWOULDBLOCK',
          `rmmod ${name} while a VM holds a group`,
        );
    },
  },
  {
    name: 'pinning: loading a loaded module and unloading an unknown one are refused',
    run(sys) {
      expectResult(sys.rmmod('kvm'), 'ENOENT', 'rmmod kvm before anything is loaded');
      sys.modprobeAll();
      for (const name of ['vfio', 'vfio_pci', 'kvm']) {
        expectRefused(sys, `insmod ${name} again`, 'EEXIST', () => sys.insmod(name));
        expectResult(sys.modprobe(name), 0, `modprobe ${name} again (already loaded is success)`);
      }
      expectRefused(sys, 'rmmod of an unknown module', 'ENOENT', () => sys.rmmod('no_such_module'));
      expectRefused(sys, 'insmod of an unknown module', 'ENOENT', () => sys.insmod('no_such_module'));
      expectRefused(sys, 'modprobe of an unknown module', 'ENOENT', () => sys.modprobe('no_such_module'));
    },
  },
];
