import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';
import reactHooks from 'eslint-plugin-react-hooks';
import prettier from 'eslint-config-prettier';

export default tseslint.config(
  { ignores: ['node_modules/', 'out/', 'dist/', 'release/', 'coverage/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
    },
  },
  {
    // Type-aware rules: a promise nobody awaits loses its error, and a switch that forgets a case
    // of a union is a bug the compiler can see.
    files: ['**/*.ts', '**/*.tsx'],
    languageOptions: { parserOptions: { project: ['./tsconfig.json', './tsconfig.web.json'], tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/switch-exhaustiveness-check': ['error', { considerDefaultExhaustiveForUnions: true }],
    },
  },
  {
    // Product code says what it knows instead of asserting `!`; tests may (they asserted the value first).
    files: [
      'electron/core/**/*.ts',
      'electron/desktop/**/*.ts',
      'electron/cli/**/*.ts',
      'electron/main/**/*.ts',
      'electron/shared/**/*.ts',
      'electron/preload/**/*.ts',
    ],
    rules: { '@typescript-eslint/no-non-null-assertion': 'error' },
  },
  {
    files: ['renderer/**/*.{ts,tsx}'],
    plugins: { 'react-hooks': reactHooks },
    languageOptions: { globals: { ...globals.browser } },
    rules: {
      ...reactHooks.configs.recommended.rules,
      // The renderer knows nothing of Node: everything goes through the preload API.
      'no-restricted-imports': [
        'error',
        {
          paths: [{ name: 'electron', message: 'The renderer talks to main only through the preload API.' }],
          patterns: [{ group: ['node:*', '**/electron/core/**', '**/electron/main/**'], message: 'The renderer talks to main only through the preload API.' }],
        },
      ],
    },
  },
  {
    // The sandbox chat page runs in the browser.
    files: ['electron/sandbox/chat/web/**/*.ts'],
    languageOptions: { globals: { ...globals.browser } },
  },
  {
    // core and desktop are plain Node (desktop holds the tray, autostart and update logic that only
    // the desktop app uses): neither may reach for Electron; electron/main wires them to it.
    files: ['electron/core/**/*.ts', 'electron/desktop/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [{ name: 'electron', message: 'electron/core and electron/desktop stay plain Node; electron/main talks to Electron.' }],
          // The sandbox (fake DingTalk, fake CCCC) sits on top of the product, never under it.
          patterns: [{ group: ['**/sandbox/**', '**/sandbox'], message: 'The product must not depend on the sandbox.' }],
        },
      ],
    },
  },
  // Layout is Prettier's job (`npm run format`); lint keeps to meaning.
  prettier,
);
