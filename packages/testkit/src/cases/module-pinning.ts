import assert from 'node:assert/strict';
import { type System, VFIO } from '@coupling-lab/lab';
import { agreedState, expectRefused, expectResult } from '../assertions.js';
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
    name: 'pinning: rmmod vfio_pci is -EWOULDBLOCK while a device fd is open, and sleeps while its group is in a container',
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
    name: 'pinning: rmmod vfio_pci while a VM holds a group sleeps until the VM lets go, then completes',
    run(sys) {
      sys.modprobeAll();
      const q = qemu(sys);
      const p = q.process;
      const group = q.group(COHERENT_GROUP);
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
    name: "pinning: no module can be unloaded from under a VM that holds a group (vfio_pci's unbind waits for it)",
    run(sys) {
      sys.modprobeAll();
      const q = qemu(sys);
      const p = q.process;
      const group = q.group(COHERENT_GROUP);
      const before = agreedState(sys);
      // Every module of the strategy (kvm_vfio too, for register-ops), last loaded first.
      const refused = [...sys.modules].reverse().map((name) => [name, sys.rmmod(name)] as const);
      if (refused.some(([name]) => name === 'vfio_pci')) unloadWaits(sys);
      // Whatever the rmmods did, the VM must still work: a module gone from under it shows here.
      assert.deepEqual(agreedState(sys), before, 'the failed rmmods changed the VM or its groups');
      expectResult(groupDel(p, q.device, group), 0, 'GROUP_DEL after the rmmods');
      expectResult(groupAdd(p, q.device, group), 0, 'GROUP_ADD again');
      for (const [name, result] of refused)
        expectResult(
          result,
          name === 'vfio_pci' ? 'EINPROGRESS' : 'EWOULDBLOCK',
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
