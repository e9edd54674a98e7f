import { forEachMaySleep, type MaySleep, type ModuleImage } from '@coupling-lab/kernel';
import type { PciDeviceConfig } from './pci-device.js';

type RegisterGroupDev = (config: PciDeviceConfig) => void;
type UnregisterGroupDev = (config: PciDeviceConfig) => MaySleep<void>;

/**
 * The `vfio_pci` module image: binds the machine's PCI devices to VFIO at init (their group
 * nodes appear) and unbinds them one by one at exit (pci_unregister_driver -> vfio_pci_remove),
 * sleeping in vfio_unregister_group_dev while a group is still in a container. Groups still
 * open afterwards stay valid, not viable.
 */
export function vfioPciImage(devices: readonly PciDeviceConfig[]): ModuleImage {
  return {
    name: 'vfio_pci',
    description: 'VFIO PCI bus driver',
    imports: ['vfio_register_group_dev', 'vfio_unregister_group_dev'],
    exports: {},
    load(context) {
      const register = context.import<RegisterGroupDev>('vfio_register_group_dev');
      const unregister = context.import<UnregisterGroupDev>('vfio_unregister_group_dev');
      return {
        symbols: {},
        init() {
          for (const device of devices) register(device);
          return 0;
        },
        exit: () => forEachMaySleep(devices, (device) => unregister(device)),
      };
    },
  };
}
