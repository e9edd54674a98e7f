// Summaries of hand-written raw rounds: pure, no mitata, no clock.
import { mergeRaw, summarise, type RawTimings } from '../src/timing/summarise.js';

const raw = (): RawTimings => ({
  baseline: 'direct',
  subjects: ['direct', 'other', 'floor'],
  operations: {
    call: {
      method: 'batched',
      floor: [0.5, 0.5, 0.5],
      series: { direct: [10, 11, 10], other: [20, 22, 21], floor: [2, 2, 2] },
    },
    add: {
      method: 'bracketed',
      floor: [40, 40, 41],
      series: { direct: [140, 141, 140], other: [340, 340, 341] },
    },
  },
  groups: [0, 0, 0],
});

describe('summarise', () => {
  test('medians, spread and per-round ratios; the floor subtracted only from bracketed ops', () => {
    const { subjects, floors } = summarise(raw(), { seed: 1 });
    expect(floors['call']).toMatchObject({ method: 'batched', nsPerOp: 0.5, subtracted: false });
    expect(floors['add']).toMatchObject({ method: 'bracketed', nsPerOp: 40, subtracted: true });
    expect(subjects['direct']?.['call']).toMatchObject({
      nsPerOp: 10,
      rounds: 3,
      ratioToBaseline: 1,
      ci: [1, 1],
    });
    expect(subjects['other']?.['call']?.ratioToBaseline).toBe(2);
    expect(subjects['other']?.['call']?.spread).toBe(1);
    expect(subjects['direct']?.['add']?.perRound).toEqual([100, 101, 99]);
    expect(subjects['other']?.['add']?.ratioToBaseline).toBe(3);
    const [lo, hi] = subjects['other']?.['add']?.ci ?? [Number.NaN, Number.NaN];
    expect(lo).toBeLessThanOrEqual(3);
    expect(hi).toBeGreaterThanOrEqual(3);
    // A subject without the operation has no entry for it.
    expect(subjects['floor']?.['add']).toBeUndefined();
    expect(subjects['floor']?.['call']?.ratioToBaseline).toBeCloseTo(0.2);
  });

  test("'never' and 'always' control the floor subtraction", () => {
    expect(
      summarise(raw(), { seed: 1, subtractHarnessFloor: 'never' }).subjects['direct']?.['add']?.nsPerOp,
    ).toBe(140);
    expect(
      summarise(raw(), { seed: 1, subtractHarnessFloor: 'always' }).subjects['direct']?.['call']?.nsPerOp,
    ).toBe(9.5);
  });

  test('a baseline at or below the floor gives NaN ratios, not an exception', () => {
    const r = raw();
    const add = r.operations['add'];
    if (!add) throw new Error('fixture');
    add.series['direct'] = [40, 41, 40];
    const timing = summarise(r, { seed: 1 }).subjects['other']?.['add'];
    expect(timing?.ratioToBaseline).toBeNaN();
    expect(timing?.nsPerOp).toBe(300);
  });
});

test('per-subject floors (a process each) are subtracted from their own subject, then divided by its operations per run', () => {
  const r = raw();
  const add = r.operations['add'];
  if (!add) throw new Error('fixture');
  add.subjectFloors = { direct: [40, 40, 41], other: [20, 20, 21] };
  add.opsPerRun = { other: 32 };
  const timing = summarise(r, { seed: 1 }).subjects['other']?.['add'];
  expect(timing?.perRound).toEqual([10, 10, 10]);
  expect(timing).toMatchObject({ opsPerRun: 32, resolutionNs: 20 / 32 });
  expect(summarise(r, { seed: 1 }).subjects['direct']?.['add']).toMatchObject({
    nsPerOp: 100,
    resolutionNs: 40,
  });
});

describe('mergeRaw', () => {
  test('concatenates rounds and labels each run as its own group', () => {
    const merged = mergeRaw([raw(), raw()]);
    expect(merged.groups).toEqual([0, 0, 0, 1, 1, 1]);
    expect(merged.operations['call']?.series['other']).toEqual([20, 22, 21, 20, 22, 21]);
    expect(merged.operations['add']?.floor).toHaveLength(6);
    expect(summarise(merged, { seed: 1 }).subjects['other']?.['add']?.rounds).toBe(6);
  });

  test('refuses runs that do not line up', () => {
    const other = raw();
    other.subjects = ['direct', 'other'];
    expect(() => mergeRaw([raw(), other])).toThrow(RangeError);
    const short = raw();
    short.operations['call']?.series['other']?.pop();
    expect(() => mergeRaw([raw(), short])).toThrow(RangeError);
    expect(() => mergeRaw([])).toThrow(RangeError);
  });
});
