import js from '@eslint/js';
import reactHooks from 'eslint-plugin-react-hooks';
import globals from 'globals';
import tseslint from 'typescript-eslint';

const NODE_BUILTINS = ['node:*', 'fs', 'path', 'net', 'os', 'crypto', 'child_process', 'http', 'events', 'stream', 'dgram', 'url'];

export default tseslint.config(
  { ignores: ['out/**', 'release/**', 'node_modules/**', 'test-results/**', 'playwright-report/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      '@typescript-eslint/no-explicit-any': 'error',
    },
  },
  {
    files: ['src-main/**/*.ts', 'e2e/**/*.ts', 'scripts/**/*.mjs', 'bin/**/*.js', 'bench/**/*.{ts,mjs}', '*.config.{ts,js}', 'test-support/**/*.ts'],
    languageOptions: { globals: globals.node },
  },
  // Layer rules (shared/DESIGN.md, "Layout").
  {
    files: ['src-shared/**/*.ts'],
    ignores: ['src-shared/**/*.test.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [
          { group: NODE_BUILTINS, message: 'src-shared is pure TS: no Node built-ins.' },
          { group: ['electron', 'electron/*', 'react', 'react-dom', 'zustand'], message: 'src-shared imports no electron or UI libraries.' },
          { group: ['**/src-main/**', '**/src-renderer/**'], message: 'src-shared is imported by everyone and imports neither side.' },
        ],
      }],
    },
    languageOptions: { globals: {} },
  },
  {
    files: ['src-main/**/*.ts'],
    ignores: ['src-main/electron/**'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [
          { group: ['electron', 'electron/*', 'electron-store'], message: 'Only src-main/electron/ may import electron.' },
          { group: ['**/src-renderer/**'], message: 'src-main never imports the renderer.' },
        ],
      }],
    },
  },
  {
    files: ['src-main/electron/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [{ group: ['**/src-renderer/**'], message: 'src-main never imports the renderer.' }] }],
    },
  },
  {
    files: ['src-renderer/**/*.{ts,tsx}'],
    plugins: { 'react-hooks': reactHooks },
    languageOptions: { globals: globals.browser },
    rules: {
      ...reactHooks.configs.recommended.rules,
      'no-restricted-imports': ['error', {
        patterns: [
          { group: ['**/src-main/**'], message: 'The renderer talks to the host only through the API client.' },
          { group: [...NODE_BUILTINS, 'electron', 'electron/*'], message: 'The renderer runs in a sandbox: no Node, no electron.' },
        ],
      }],
    },
  },
);
