import {
  boot,
  countersDelta,
  errnoName,
  groupAttr,
  groupFd,
  KVM,
  qemuFixture,
  type System,
} from '@coupling-lab/lab';
import { BrokerStrategy } from './broker-strategy.js';
import { callsTo } from './calls-to.js';

/** One step of the tour: what ran, its result, and what it cost. */
export interface TourLine {
  readonly what: string;
  readonly result: number;
  readonly symbolLookups: number;
  readonly brokerLookups: number;
  readonly moduleGets: number;
  readonly modulePuts: number;
  /** Why the result is what it is. */
  readonly note: string;
}

const GROUP = 26;

/**
 * The broker's peculiarities on one VM: GROUP_ADD looks the service up once, the publisher can't
 * unload while KVM holds the service, and once it has gone GROUP_ADD is refused until it is back.
 */
export function brokerTour(): { lines: TourLine[]; sys: System } {
  const sys = boot({ strategy: BrokerStrategy });
  const fixture = qemuFixture(sys, [GROUP]);
  const { qemu } = fixture;
  const lines: TourLine[] = [];
  const step = (what: string, note: string, run: () => number): void => {
    const before = sys.counters;
    const { result, calls } = callsTo(sys, 'broker_get', run);
    const cost = countersDelta(before, sys.counters);
    lines.push({
      what,
      result,
      symbolLookups: cost.symbolLookups,
      brokerLookups: calls,
      moduleGets: cost.moduleGets,
      modulePuts: cost.modulePuts,
      note,
    });
  };
  const attr = (which: number): ReturnType<typeof groupAttr> =>
    groupAttr(qemu, which, groupFd(fixture, GROUP));
  const add = (): number => qemu.ioctl(fixture.device, KVM.SET_DEVICE_ATTR, attr(KVM.DEV_VFIO_GROUP_ADD));
  const del = (): number => qemu.ioctl(fixture.device, KVM.SET_DEVICE_ATTR, attr(KVM.DEV_VFIO_GROUP_DEL));

  step(`GROUP_ADD group ${GROUP}`, 'pins vfio_service (the service) and the group file (vfio)', add);
  step('rmmod vfio_service', 'KVM holds the service, so its table stays', () => sys.rmmod('vfio_service'));
  step(`GROUP_DEL group ${GROUP}`, 'drops the file and the service reference', del);
  step('rmmod vfio_service', "its exit unpublishes 'vfio-file'", () => sys.rmmod('vfio_service'));
  step(`GROUP_ADD group ${GROUP}`, 'nothing published: refused as if VFIO were absent', add);
  step('modprobe vfio_service', "publishes 'vfio-file' again", () => sys.modprobe('vfio_service'));
  step(`GROUP_ADD group ${GROUP}`, 'found again', add);
  return { lines, sys };
}

/** The tour as a table. */
export function formatTour(lines: readonly TourLine[]): string {
  const width = Math.max(...lines.map((line) => line.what.length));
  const result = (value: number): string => (value < 0 ? `-${errnoName(value) ?? -value}` : String(value));
  const plural = (n: number, noun: string): string => `${n} ${noun}${n === 1 ? '' : 's'}`;
  return lines
    .map(
      (line) =>
        `${line.what.padEnd(width)}  = ${result(line.result).padEnd(13)} ${plural(line.symbolLookups, 'symbol lookup')}, ` +
        `${plural(line.brokerLookups, 'broker lookup')}, ${line.moduleGets} get/${line.modulePuts} put   ${line.note}`,
    )
    .join('\n');
}
