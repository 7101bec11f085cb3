// Shared jest preset: TypeScript through @swc/jest (no type-checking here; `pnpm typecheck`
// does that), tests beside the code as `*.test.ts`, real infrastructure from the environment.
/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  transform: {
    '^.+\\.(t|j)sx?$': [
      '@swc/jest',
      {
        jsc: { parser: { syntax: 'typescript' }, target: 'es2022' },
        module: { type: 'commonjs' },
      },
    ],
  },
  // Dependencies that ship only ES modules (light-my-request's `cookie`, used by fastify's
  // inject; @fastify/static's `content-disposition`) are compiled to CommonJS like our own code;
  // everything else is loaded as is.
  transformIgnorePatterns: ['/node_modules/(?!(\\.pnpm/)?(cookie|content-disposition)[@/])'],
  testMatch: ['<rootDir>/src/**/*.test.ts', '<rootDir>/test/**/*.test.ts'],
  moduleFileExtensions: ['ts', 'js', 'json'],
  // Generated and NodeNext-style sources import './x.js' for './x.ts'.
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  testTimeout: 60_000,
  reporters: ['default', require.resolve('./summary-reporter.js')],
};
