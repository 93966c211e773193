// Lint: typescript-eslint on every TypeScript file. The architecture's dependency rules
// are enforced separately by dependency-cruiser (.dependency-cruiser.cjs).
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';

const NAMED_EXPORTS = [
  { selector: 'ExportDefaultDeclaration', message: 'Use named exports (ARCHITECTURE.md, Naming).' },
];
const USE_CLOCK = 'Use the injected Clock (src/shared/clock.ts): nowMs(), after(), every(), sleep().';
const TIMER_GLOBALS = [
  'setTimeout',
  'setInterval',
  'setImmediate',
  'clearTimeout',
  'clearInterval',
  'clearImmediate',
];

export default tseslint.config(
  { ignores: ['node_modules/', 'dist/', '.tools/', 'data/', 'test-results/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-restricted-syntax': ['error', ...NAMED_EXPORTS],
    },
  },
  { files: ['ui/**'], languageOptions: { globals: { ...globals.browser } } },
  // Time goes through the injected Clock (ARCHITECTURE.md, Time), so a test can drive it.
  {
    files: ['src/**'],
    ignores: ['src/shared/clock.ts'],
    rules: {
      'no-restricted-globals': ['error', ...TIMER_GLOBALS.map((name) => ({ name, message: USE_CLOCK }))],
      'no-restricted-properties': [
        'error',
        { object: 'Date', property: 'now', message: USE_CLOCK },
        ...['globalThis', 'global'].flatMap((object) =>
          TIMER_GLOBALS.map((property) => ({ object, property, message: USE_CLOCK })),
        ),
      ],
      'no-restricted-imports': [
        'error',
        {
          paths: ['timers', 'node:timers', 'timers/promises', 'node:timers/promises'].map((name) => ({
            name,
            message: USE_CLOCK,
          })),
        },
      ],
      'no-restricted-syntax': [
        'error',
        ...NAMED_EXPORTS,
        { selector: "NewExpression[callee.name='Date'][arguments.length=0]", message: USE_CLOCK },
        { selector: "CallExpression[callee.name='Date']", message: USE_CLOCK },
      ],
    },
  },
  // setImmediate here is no timer (no delay): it lets readings that arrive in the same turn of the
  // event loop form one batch. A manual clock must not hold it, so it stays a plain setImmediate.
  {
    files: ['src/ingest/ingest-service.ts'],
    rules: {
      'no-restricted-globals': [
        'error',
        ...TIMER_GLOBALS.filter((name) => name !== 'setImmediate').map((name) => ({
          name,
          message: USE_CLOCK,
        })),
      ],
    },
  },
  // Tool configs must default-export; everything of ours uses named exports.
  { files: ['*.config.js', '**/*.d.ts'], rules: { 'no-restricted-syntax': 'off' } },
);
