import '@coupling-lab/strategy-direct';
import '@coupling-lab/strategy-get-ops';
import '@coupling-lab/strategy-register-ops';
import '@coupling-lab/strategy-symbol-get-file';
import { explore, replay } from '@coupling-lab/explorer';

const SCENARIO = 'close-device-vs-file-add';

// The real strategies' clean verdicts on v6.6 are in catalogue-v6-6.test.ts, with the rest of the catalogue.

test('get-ops/no-file-ref keeps a bare pointer to the device file: the close frees it under KVM (use-after-free), and the schedule replays', () => {
  const verdict = explore(SCENARIO, 'get-ops/no-file-ref', { linux: 'v6.6' });
  expect(verdict).toMatchObject({ verdict: 'violation', kind: 'use-after-free' });
  if (verdict.verdict !== 'violation') return;
  expect(verdict.message).toMatch(/freed file \/dev\/vfio\/devices\/vfio0/);
  expect(replay(SCENARIO, 'get-ops/no-file-ref', verdict.schedule, 'v6.6')).toMatchObject({
    verdict: 'violation',
    kind: verdict.kind,
    schedule: verdict.schedule,
  });
});

test('the scenario is skipped on v5.17, which has no device cdevs', () => {
  expect(explore(SCENARIO, 'get-ops')).toMatchObject({
    verdict: 'skipped',
    reason: expect.stringMatching(/v6\.6/),
  });
});
