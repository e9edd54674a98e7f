import type { ComparisonCell, ComparisonRow } from './comparison-rows.js';
import type { DeviceFileCost, Report, StrategyReport } from './types.js';

/** The title of the block, in every report. */
export const DEVICE_FILES_TITLE = 'To accept device files';

/** What the block means, in one sentence beside it. */
export const DEVICE_FILES_MEANING =
  'Linux v6.6 let QEMU hand KVM a VFIO device fd (/dev/vfio/devices/vfioN bound to an iommufd) where it used to hand a group fd; ' +
  'each column is what that change cost the strategy, computed by booting its wiring with group files only and with device files ' +
  'and diffing the two: the fewer symbols and KVM-side lines that had to change, the better the coupling absorbed a new file type.';

const none = (items: readonly string[]): string[] => (items.length === 0 ? [] : [...items]);

function cell(lines: string[]): ComparisonCell {
  return lines.length > 0 ? { lines, tone: 'plain' } : { lines: ['none'], tone: 'muted' };
}

function costRow(report: Report, label: string, make: (cost: DeviceFileCost) => string[]): ComparisonRow {
  return {
    kind: 'row',
    label,
    cells: report.strategies.map((s: StrategyReport) =>
      s.deviceFiles === undefined ? { lines: ['not measured'], tone: 'muted' } : cell(make(s.deviceFiles)),
    ),
  };
}

/** The block's rows, one cell per strategy; none on a kernel without device files. */
export function deviceFileRows(report: Report): ComparisonRow[] {
  if (!report.strategies.some((s) => s.deviceFiles !== undefined)) return [];
  return [
    { kind: 'section', title: DEVICE_FILES_TITLE },
    costRow(report, 'VFIO exports added / changed / removed', (c) => [
      ...c.vfioExports.added.map((name) => `+ ${name}`),
      ...c.vfioExports.changed.map((name) => `~ ${name}`),
      ...c.vfioExports.removed.map((name) => `- ${name}`),
    ]),
    costRow(report, 'Symbols KVM must look up, added / gone', (c) => [
      ...c.kvmLookups.added.map((name) => `+ ${name}`),
      ...c.kvmLookups.removed.map((name) => `- ${name}`),
    ]),
    costRow(report, 'KVM-side port lines changed', (c) =>
      c.kvmPortLines === undefined
        ? ['port code not declared']
        : [`+${c.kvmPortLines.added} −${c.kvmPortLines.removed} of ${c.kvmPortLines.after} lines`],
    ),
    costRow(report, 'uAPI added', (c) => none(c.uapiAdded)),
    costRow(report, 'New module edges', (c) => none(c.moduleEdgesAdded)),
    costRow(report, 'FILE_ADD of a device fd', (c) => [
      `before: ${c.deviceFileAdd.groupsOnly}`,
      `after: ${c.deviceFileAdd.withDeviceFiles}`,
    ]),
  ];
}
