import type { Report } from './types.js';

/** The sentence every rendering starts with: which kernel the numbers are for, and who was left out there. */
export function kernelLine(report: Report): string {
  const left = (report.notOnKernel ?? []).map((entry) => `${entry.name} (${entry.reason})`);
  return [
    `Linux ${report.linux.name}: ${report.linux.summary}. Every number here is for this kernel.`,
    ...(left.length === 0 ? [] : [`Not on this kernel: ${left.join('; ')}.`]),
  ].join(' ');
}
