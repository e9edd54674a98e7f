import type { ModuleImage } from '@coupling-lab/kernel';
import type { PciDeviceConfig } from './pci-device.js';

type RegisterGroupDev = (config: PciDeviceConfig) => void;

/**
 * The `vfio_pci` module image: binds the machine's PCI devices to VFIO at init (their group
 * nodes appear) and unbinds them at exit (groups still open stay valid, not viable).
 */
export function vfioPciImage(devices: readonly PciDeviceConfig[]): ModuleImage {
  return {
    name: 'vfio_pci',
    description: 'VFIO PCI bus driver',
    imports: ['vfio_register_group_dev', 'vfio_unregister_group_dev'],
    exports: {},
    load(context) {
      const register = context.import<RegisterGroupDev>('vfio_register_group_dev');
      const unregister = context.import<RegisterGroupDev>('vfio_unregister_group_dev');
      return {
        symbols: {},
        init() {
          for (const device of devices) register(device);
          return 0;
        },
        exit() {
          for (const device of devices) unregister(device);
        },
      };
    },
  };
}
