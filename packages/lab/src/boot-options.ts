import { describeValue as shown } from './describe-value.js';
import { isLinuxName, linuxNames } from './linux.js';

/** A boot() option that is missing or has the wrong type; `option` names it ('strategy', 'devices[1].iommuGroup'). */
export class BootOptionsError extends TypeError {
  constructor(
    readonly option: string,
    problem: string,
  ) {
    super(`boot(): ${problem}`);
    this.name = 'BootOptionsError';
  }
}

const known = ['strategy', 'linux', 'devices', 'forceUnload', 'onViolation', 'lockdep', 'container'];

function checkDevices(devices: unknown): void {
  if (!Array.isArray(devices))
    throw new BootOptionsError('devices', `devices must be an array of PCI devices, got ${shown(devices)}`);
  devices.forEach((device: unknown, index) => {
    const at = `devices[${index}]`;
    if (typeof device !== 'object' || device === null)
      throw new BootOptionsError(at, `${at} must be { address, iommuGroup, coherent }, got ${shown(device)}`);
    const { address, iommuGroup, coherent } = device as Record<string, unknown>;
    if (typeof address !== 'string' || address === '')
      throw new BootOptionsError(
        `${at}.address`,
        `${at}.address must be a PCI address such as "0000:01:00.0"`,
      );
    if (typeof iommuGroup !== 'number' || !Number.isInteger(iommuGroup) || iommuGroup < 0)
      throw new BootOptionsError(
        `${at}.iommuGroup`,
        `${at}.iommuGroup must be a non-negative integer, got ${shown(iommuGroup)}`,
      );
    if (typeof coherent !== 'boolean')
      throw new BootOptionsError(
        `${at}.coherent`,
        `${at}.coherent must be true or false, got ${shown(coherent)}`,
      );
  });
}

/**
 * Checks boot()'s options before anything is built, so a JavaScript caller (or a typo) gets one
 * error naming the option instead of a TypeError from deep inside.
 */
export function checkBootOptions(options: unknown): void {
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw new BootOptionsError(
      'strategy',
      `options are required: boot({ strategy }) with a strategy instance, class or registered name, got ${shown(options)}`,
    );
  }
  const given = options as Record<string, unknown>;
  for (const key of Object.keys(given)) {
    if (!known.includes(key))
      throw new BootOptionsError(key, `unknown option "${key}"; valid: ${known.join(', ')}`);
  }
  const { strategy, linux, devices, forceUnload, onViolation, lockdep, container } = given;
  if (strategy === undefined)
    throw new BootOptionsError(
      'strategy',
      'strategy is missing: pass a strategy instance, class or registered name (e.g. "get-ops")',
    );
  const usable =
    typeof strategy === 'string'
      ? strategy.trim() !== ''
      : typeof strategy === 'function' || (typeof strategy === 'object' && strategy !== null);
  if (!usable)
    throw new BootOptionsError(
      'strategy',
      `strategy must be a strategy instance, class or registered name, got ${shown(strategy)}`,
    );
  if (linux !== undefined && !isLinuxName(linux))
    throw new BootOptionsError(
      'linux',
      `unknown Linux version ${shown(linux)}; the lab models: ${linuxNames.join(', ')}`,
    );
  if (devices !== undefined) checkDevices(devices);
  if (forceUnload !== undefined && typeof forceUnload !== 'boolean')
    throw new BootOptionsError('forceUnload', `forceUnload must be true or false, got ${shown(forceUnload)}`);
  if (onViolation !== undefined && onViolation !== 'throw' && onViolation !== 'record')
    throw new BootOptionsError(
      'onViolation',
      `onViolation must be 'throw' or 'record', got ${shown(onViolation)}`,
    );
  if (lockdep !== undefined && typeof (lockdep as { record?: unknown } | null)?.record !== 'function')
    throw new BootOptionsError('lockdep', `lockdep must be a LockDep, got ${shown(lockdep)}`);
  if (
    container !== undefined &&
    (typeof container !== 'object' ||
      container === null ||
      typeof (container as { createChildContainer?: unknown }).createChildContainer !== 'function')
  )
    throw new BootOptionsError(
      'container',
      `container must be a tsyringe DependencyContainer, got ${shown(container)}`,
    );
}
