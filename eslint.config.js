// One lint over the whole workspace: `pnpm lint`.
import js from '@eslint/js';
import globals from 'globals';
import reactHooks from 'eslint-plugin-react-hooks';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['**/node_modules/**', '**/dist/**', '**/*.d.ts', '.tools/**', 'test-results/**', 'playwright-report/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
      eqeqeq: ['error', 'always'],
      'no-console': ['error', { allow: ['error'] }],
      'no-restricted-syntax': [
        'error',
        {
          // V8 makes the accessor pair of each such object in the old generation, so a young
          // collection keeps whatever the accessor's closure holds until a full one. Measured in the
          // simulator (issue 14): one per poll held every poll's request and answer, 1.5 MB copied at
          // each young collection, pauses of 3-5 ms instead of about 1.
          selector: "ObjectExpression > Property[kind='get'], ObjectExpression > Property[kind='set']",
          message: "No get/set in an object literal: V8 makes each object's accessor pair in the old generation, which keeps what the accessor holds through young collections. Use a method or a class.",
        },
      ],
    },
  },
  {
    files: ['apps/web/**/*.{ts,tsx}'],
    languageOptions: { globals: { ...globals.browser } },
    plugins: { 'react-hooks': reactHooks },
    rules: { ...reactHooks.configs.recommended.rules },
  },
  {
    // Command-line scripts and benchmarks report on stdout.
    files: ['scripts/**', '**/bench/**'],
    rules: { 'no-console': 'off' },
  },
);
