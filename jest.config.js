// Two projects: unit tests (recorded FreeBSD output, transport doubles) and integration tests
// (a real lab over real SSH; they need root and run one at a time).
const tsJest = ['ts-jest', {}];
module.exports = {
  projects: [
    { displayName: 'unit', testEnvironment: 'node', transform: { '^.+\\.ts$': tsJest },
      testMatch: ['<rootDir>/test/unit/**/*.test.ts'] },
    { displayName: 'integration', testEnvironment: 'node', transform: { '^.+\\.ts$': tsJest },
      testMatch: ['<rootDir>/test/integration/**/*.test.ts'] },
  ],
};
