// StrykerJS mutation testing, one workspace package at a time (run on demand, never in CI):
//   npx -y pnpm@10.34.9 mutation <package>      e.g. `mutation kernel`, `mutation strategy-get-ops`
// Each mutant of packages/<package>/src is run against that package's own tests only
// (packages/<package>/test), so the score says what the package's tests catch by themselves, not
// what the conformance suite, fuzzer or explorer catch for it. Results: reports/mutation/<package>/.
import { existsSync } from 'node:fs';

const pkg = process.env.MUTATE_PACKAGE;
if (!pkg || !existsSync(`packages/${pkg}/src`)) {
  throw new Error(`set MUTATE_PACKAGE to a directory under packages/ (got ${pkg ?? 'nothing'})`);
}

/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  packageManager: 'pnpm',
  testRunner: 'jest',
  plugins: ['@stryker-mutator/jest-runner'],
  jest: {
    projectType: 'custom',
    configFile: 'jest.config.js',
    config: {
      // Only the package's tests are found (a smaller file crawl per mutant run, too).
      roots: [`<rootDir>/packages/${pkg}/test`],
      testMatch: [`<rootDir>/packages/${pkg}/test/**/*.test.ts`],
    },
    enableFindRelatedTests: false,
  },
  mutate: [`packages/${pkg}/src/**/*.ts`, `!packages/${pkg}/src/index.ts`],
  coverageAnalysis: 'perTest',
  // 2 cores: one jest worker per core.
  concurrency: 2,
  timeoutMS: 20000,
  reporters: ['clear-text', 'progress', 'html', 'json'],
  htmlReporter: { fileName: `reports/mutation/${pkg}/index.html` },
  jsonReporter: { fileName: `reports/mutation/${pkg}/mutation.json` },
  tempDirName: `.stryker-tmp/${pkg}`,
  ignorePatterns: ['reports', 'dist', 'dist-test', '.stryker-tmp', '**/*.tsbuildinfo'],
  cleanTempDir: true,
  // A re-run tests only the mutants whose code or covering tests changed since the last one.
  incremental: true,
  incrementalFile: `reports/mutation/${pkg}/stryker-incremental.json`,
};
