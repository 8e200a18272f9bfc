import js from '@eslint/js'
import reactHooks from 'eslint-plugin-react-hooks'
import globals from 'globals'
import tseslint from 'typescript-eslint'

/**
 * Layers by runtime (house style §1): shared/ is runtime-neutral, renderer/ sees shared/ only,
 * and only electron/main.ts, electron/preload.ts and electron/platform/ may import 'electron'.
 */
const nodeBuiltins = [
  'node:*',
  'fs',
  'path',
  'os',
  'crypto',
  'http',
  'https',
  'net',
  'child_process',
  'worker_threads',
]

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'release/**', 'test-artifacts/**', 'coverage/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      'no-console': 'error',
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_' },
      ],
    },
  },
  {
    files: ['electron/**/*.ts'],
    ignores: ['electron/main.ts', 'electron/preload.ts', 'electron/platform/electron-*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [
            {
              name: 'electron',
              message: 'only main.ts, preload.ts and platform/electron-* import electron',
            },
          ],
          patterns: [
            { group: ['**/renderer/**'], message: 'main-process code never imports the renderer' },
          ],
        },
      ],
    },
  },
  {
    files: ['shared/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              // ./ and one ../ (from shared/contract/) stay inside shared/.
              regex: '^(?!zod$|\\./|\\.\\./(?!\\.\\./))',
              message: 'shared/ is runtime-neutral: it imports nothing but zod and itself',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['renderer/**/*.{ts,tsx}'],
    languageOptions: { globals: { ...globals.browser } },
    plugins: { 'react-hooks': reactHooks },
    rules: {
      ...reactHooks.configs.recommended.rules,
      'no-restricted-imports': [
        'error',
        {
          paths: ['electron', ...nodeBuiltins.filter((n) => !n.includes('*'))],
          patterns: [
            { group: ['node:*'], message: 'the renderer runs in a browser: no Node modules' },
            {
              group: ['**/electron/**'],
              message: 'the renderer talks to main through the contract only',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['bin/**/*.js', 'scripts/**/*.{js,mjs}', 'bench/**/*.{js,mjs}'],
    rules: { '@typescript-eslint/no-require-imports': 'off', 'no-console': 'off' },
  },
)
