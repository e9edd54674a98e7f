import {
  errno,
  type File,
  type Kernel,
  type KvmVfioPort,
  type ModuleContext,
  type VfioFileOps,
} from '@coupling-lab/lab';
import type { BrokerGet, BrokerPut, ServiceRef } from './broker-module.js';
import { VFIO_FILE_SERVICE } from './vfio-service-module.js';

/** What KVM keeps per added group: the file (it pins vfio) and the service reference (it pins the publisher). */
export interface BrokerHandle {
  readonly file: File;
  readonly ref: ServiceRef<VfioFileOps>;
}

/**
 * KVM's side, built into kvm, which imports the broker directly: one broker lookup per GROUP_ADD,
 * no symbol_get. The service reference is held until the group is let go, so the publisher cannot
 * unload while KVM may call through its table; the held file keeps vfio itself loaded.
 */
export function brokerPort(context: ModuleContext): KvmVfioPort<BrokerHandle> {
  const kernel: Kernel = context.kernel;
  const get = context.import<BrokerGet>('broker_get');
  const put = context.import<BrokerPut>('broker_put');
  return {
    acquire(file) {
      // Nothing published: VFIO's side is not loaded, and KVM refuses the fd as Linux does without vfio.
      const ref = get<VfioFileOps>(VFIO_FILE_SERVICE);
      if (ref === null) return -errno.EINVAL;
      if (ref.service.get_iommu_group(file) === null) {
        put(ref);
        return -errno.EINVAL;
      }
      kernel.fget(file);
      return { file, ref };
    },
    release(handle) {
      kernel.fput(handle.file);
      put(handle.ref);
    },
    same: (a, b) => a.file === b.file,
    matchesFile: (handle, file) => handle.file === file,
    isCoherent: (handle) => handle.ref.service.is_enforced_coherent(handle.file),
    setKvm: (handle, vm) => handle.ref.service.set_kvm(handle.file, vm),
  };
}
