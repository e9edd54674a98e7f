import { escapeHtml } from './escape.js';

/**
 * An SVG that scales with the page: the viewBox fixes the drawing's proportions, the width
 * follows its container (CSS caps it), so one chart reads at 800 px and at 1400 px.
 */
export function svgDocument(
  id: string,
  title: string,
  size: { width: number; height: number },
  body: string,
): string {
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 ${size.width} ${size.height}" width="${size.width}" height="${size.height}" preserveAspectRatio="xMinYMin meet" role="img" aria-labelledby="${id}-title" font-family="system-ui, sans-serif">` +
    `<title id="${id}-title">${escapeHtml(title)}</title>${body}</svg>`
  );
}

export function text(
  x: number,
  y: number,
  content: string,
  attributes: {
    anchor?: 'start' | 'middle' | 'end';
    size?: number;
    fill?: string;
    weight?: number;
    className?: string;
  } = {},
): string {
  const anchor =
    attributes.anchor === undefined || attributes.anchor === 'start'
      ? ''
      : ` text-anchor="${attributes.anchor}"`;
  const weight = attributes.weight === undefined ? '' : ` font-weight="${attributes.weight}"`;
  const cls = attributes.className === undefined ? '' : ` class="${attributes.className}"`;
  return `<text${cls} x="${round(x)}" y="${round(y)}"${anchor} font-size="${attributes.size ?? 12}" fill="${attributes.fill ?? '#333'}"${weight}>${escapeHtml(content)}</text>`;
}

export const round = (n: number): number => Math.round(n * 10) / 10;

export interface Scale {
  readonly ticks: readonly number[];
  readonly x: (value: number) => number;
}

/** A linear scale from 0 to a round number at or above `max`, with about `count` integer or decimal ticks. */
export function zeroScale(max: number, from: number, to: number, integer: boolean, count = 4): Scale {
  const raw = Math.max(max, integer ? 1 : 0.1) / count;
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const step =
    [1, 2, 2.5, 5, 10]
      .map((m) => m * magnitude)
      .filter((s) => !integer || Number.isInteger(s))
      .find((s) => s >= raw) ?? raw;
  const top = Math.ceil(max / step) * step || step;
  const ticks: number[] = [];
  for (let value = 0; value <= top + 1e-9; value += step) ticks.push(Number(value.toFixed(6)));
  return { ticks, x: (value) => from + (Math.min(Math.max(value, 0), top) / top) * (to - from) };
}

/** Ratios a log axis may be ticked at; the ones inside the domain are used. */
const ratioTicks = [0.25, 0.33, 0.5, 0.67, 0.8, 0.9, 1, 1.1, 1.25, 1.5, 2, 3, 4, 6, 8];

/**
 * A log scale centred on 1.0 (as fast as the baseline), symmetric so that ×1.25 and ÷1.25 sit
 * equally far from the centre: the domain reaches a little beyond the furthest value.
 */
export function ratioScale(values: readonly number[], from: number, to: number): Scale {
  const finite = values.filter((v) => Number.isFinite(v) && v > 0);
  const reach = Math.max(Math.log(1.15), ...finite.map((v) => Math.abs(Math.log(v)))) * 1.12;
  const x = (value: number): number => {
    const clamped = Math.min(Math.max(Math.log(value > 0 ? value : 1), -reach), reach);
    return from + ((clamped + reach) / (2 * reach)) * (to - from);
  };
  const ticks = ratioTicks.filter((t) => Math.abs(Math.log(t)) <= reach);
  return { ticks, x };
}
