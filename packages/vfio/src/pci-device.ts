/** A PCI device the machine boots with: its address, its IOMMU group, and whether that IOMMU enforces cache coherency. */
export interface PciDeviceConfig {
  readonly address: string;
  readonly iommuGroup: number;
  readonly coherent: boolean;
}

/** SPEC 12's default machine: one coherent device in group 26, one non-coherent device in group 27. */
export const defaultDevices: readonly PciDeviceConfig[] = [
  { address: '0000:01:00.0', iommuGroup: 26, coherent: true },
  { address: '0000:02:00.0', iommuGroup: 27, coherent: false },
];
