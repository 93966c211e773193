// Lint: typescript-eslint on every TypeScript file. The architecture's dependency rules
// are enforced separately by dependency-cruiser (.dependency-cruiser.cjs).
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';

export default tseslint.config(
  { ignores: ['node_modules/', 'dist/', '.tools/', 'data/', 'test-results/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-restricted-syntax': [
        'error',
        { selector: 'ExportDefaultDeclaration', message: 'Use named exports (ARCHITECTURE.md, Naming).' },
      ],
    },
  },
  { files: ['ui/**'], languageOptions: { globals: { ...globals.browser } } },
  // Tool configs must default-export; everything of ours uses named exports.
  { files: ['*.config.js', '**/*.d.ts'], rules: { 'no-restricted-syntax': 'off' } },
);
