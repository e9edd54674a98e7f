/** Okabe–Ito colours, which stay distinguishable under the common colour-vision deficiencies. */
const strategyColours = [
  '#0072b2',
  '#e69f00',
  '#009e73',
  '#cc79a7',
  '#56b4e9',
  '#d55e00',
  '#999999',
  '#000000',
];

/** The colour of the strategy at this position in the report, the same in every chart. */
export function strategyColour(index: number): string {
  return strategyColours[index % strategyColours.length] ?? '#000000';
}
