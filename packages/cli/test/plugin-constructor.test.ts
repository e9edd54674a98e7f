import { fixture, run } from './cli-run.js';

// Its own file: once registered, a class whose constructor throws breaks every later listing in this process.
test('a strategy whose constructor throws is named, with the error and without a dependency-injection stack', async () => {
  const result = await run(['--plugin', fixture('constructor-throws-plugin.ts'), 'list']);
  expect(result.code).toBe(1);
  expect(result.out).toBe('');
  expect(result.err).toMatch(
    /^coupling-lab: plugin .*constructor-throws-plugin\.ts: the constructor of NeedsHardware threw: no IOMMU on this machine\n$/,
  );
});
