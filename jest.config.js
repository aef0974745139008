// One jest run, three levels: fast unit specs beside the code, integration tests on real
// Postgres/Redis/Kafka, and end-to-end tests that run the services as real processes.
const { compilerOptions } = require('./tsconfig.json');

const moduleNameMapper = Object.fromEntries(
  Object.entries(compilerOptions.paths).map(([alias, [target]]) => [
    `^${alias}$`,
    `<rootDir>/${target}`,
  ]),
);

const transform = {
  '^.+\\.ts$': [
    '@swc/jest',
    {
      jsc: {
        parser: { syntax: 'typescript', decorators: true },
        transform: { legacyDecorator: true, decoratorMetadata: true },
        target: 'es2022',
      },
      module: { type: 'commonjs' },
      sourceMaps: 'inline',
    },
  ],
};

const common = { rootDir: __dirname, moduleNameMapper, transform, testEnvironment: 'node' };
const infrastructure = {
  globalSetup: '<rootDir>/libs/testing/src/jest/global-setup.ts',
  globalTeardown: '<rootDir>/libs/testing/src/jest/global-teardown.ts',
  setupFiles: ['<rootDir>/libs/testing/src/jest/load-infrastructure.ts'],
};

/** @type {import('jest').Config} */
module.exports = {
  // Exit once the run and the global teardown are done. One CI run (2 cores, tests in band) hung
  // after 2,255 passing tests with a handle left open that --detectOpenHandles could not
  // reproduce; a hung CI is worse than a lost stray socket. Suites still close what they open.
  forceExit: true,
  reporters: ['default', '<rootDir>/libs/testing/src/jest/summary-reporter.js'],
  projects: [
    {
      ...common,
      displayName: 'unit',
      testMatch: ['<rootDir>/{libs,services,tools,test}/**/*.spec.ts'],
    },
    {
      ...common,
      ...infrastructure,
      displayName: 'integration',
      testMatch: ['<rootDir>/test/integration/**/*.int-spec.ts'],
      setupFilesAfterEnv: ['<rootDir>/libs/testing/src/jest/timeout-integration.ts'],
    },
    {
      ...common,
      ...infrastructure,
      displayName: 'e2e',
      testMatch: ['<rootDir>/test/e2e/**/*.e2e-spec.ts'],
      setupFilesAfterEnv: ['<rootDir>/libs/testing/src/jest/timeout-e2e.ts'],
    },
  ],
};
