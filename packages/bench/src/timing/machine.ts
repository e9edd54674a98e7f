// Where the numbers came from: timings are only comparable on the same machine and runtime.
import * as os from 'node:os';

export interface MachineInfo {
  cpu: string;
  cores: number;
  node: string;
  platform: string;
  arch: string;
}

export function machineInfo(): MachineInfo {
  const cpus = os.cpus();
  return {
    cpu: cpus[0]?.model.trim() ?? 'unknown',
    cores: cpus.length,
    node: process.version,
    platform: process.platform,
    arch: process.arch,
  };
}
