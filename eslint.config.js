import js from '@eslint/js';
import reactHooks from 'eslint-plugin-react-hooks';
import globals from 'globals';
import tseslint from 'typescript-eslint';

const NODE_BUILTINS = ['node:*', 'fs', 'path', 'net', 'os', 'crypto', 'child_process', 'http', 'events', 'stream', 'dgram', 'url'];

/**
 * no-restricted-imports sees only static `import`/`export … from`: the same bans for a module named in
 * `import('…')`, `require('…')` or vitest's vi.mock/doMock/importActual/importMock (a string or template
 * literal; a name computed at run time is not caught). `source` is an esquery regex (no `/` inside).
 */
function restrictedModuleCalls(source, message) {
  const literal = `[value=${source}]`;
  const template = `:matches(TemplateLiteral:has(TemplateElement[value.raw=${source}]))`;
  const callee = `:matches(ImportExpression, CallExpression[callee.name='require'], CallExpression[callee.object.name='vi'][callee.property.name=/^(mock|doMock|importActual|importMock)$/])`;
  return [
    { selector: `ImportExpression > Literal.source${literal}`, message },
    { selector: `ImportExpression > ${template}.source`, message },
    { selector: `${callee} > Literal.arguments:first-child${literal}`, message },
    { selector: `${callee} > ${template}.arguments:first-child`, message },
  ];
}

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
      // The same for modules loaded by a call — tests included: a test that needs the host's real words
      // reads test-support/fixtures/host-messages.json (src-main/service/host-messages.test.ts writes it).
      'no-restricted-syntax': ['error',
        ...restrictedModuleCalls('/src-main/', 'The renderer talks to the host only through the API client (tests: use test-support/fixtures).'),
        ...restrictedModuleCalls(
          `/^(node:|(${NODE_BUILTINS.filter((m) => m !== 'node:*').join('|')})$|electron($|[^a-z]))/`,
          'The renderer runs in a sandbox: no Node, no electron.',
        ),
      ],
    },
  },
);
