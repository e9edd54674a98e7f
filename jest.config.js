// One jest run for the whole workspace. Sources are compiled by @swc/jest (legacy decorators and
// decorator metadata, which tsyringe needs); `tsc -b` is the type check and runs before jest.
/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>'],
  testMatch: ['<rootDir>/{packages,examples}/*/test/**/*.test.ts'],
  testPathIgnorePatterns: ['/node_modules/', '/dist/', '/dist-test/', '<rootDir>/.stryker-tmp/'],
  modulePathIgnorePatterns: [
    '<rootDir>/packages/[^/]+/dist/',
    '<rootDir>/examples/[^/]+/dist/',
    // StrykerJS's sandboxes (pnpm mutation): a copy of every package.
    '<rootDir>/.stryker-tmp/',
  ],
  setupFiles: ['reflect-metadata'],
  transform: {
    '^.+\\.ts$': [
      '@swc/jest',
      {
        jsc: {
          parser: { syntax: 'typescript', decorators: true },
          // useDefineForClassFields as tsconfig.base.json sets it: fields are assigned in the
          // constructor, not defined (Object.defineProperty), so tests run what dist/ runs.
          transform: { legacyDecorator: true, decoratorMetadata: true, useDefineForClassFields: false },
          target: 'es2022',
        },
        module: { type: 'commonjs' },
        sourceMaps: 'inline',
      },
    ],
  },
  // Workspace packages resolve to their TypeScript sources, so tests never run stale dist/ output.
  moduleNameMapper: {
    '^@coupling-lab/example-(.*)$': '<rootDir>/examples/$1/src/index.ts',
    '^@coupling-lab/([a-z-]+)$': '<rootDir>/packages/$1/src/index.ts',
    '^(\\.{1,2}/.*)\\.js$': '$1',
  },
};
