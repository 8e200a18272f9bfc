import js from '@eslint/js'
import reactHooks from 'eslint-plugin-react-hooks'
import globals from 'globals'
import tseslint from 'typescript-eslint'

/**
 * Layers by runtime (house style §1): shared/ is runtime-neutral, renderer/ sees shared/ only,
 * and only electron/main.ts, electron/preload.ts, electron/desktop/ and electron/platform/
 * electron-* import 'electron'.
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

/**
 * Import direction inside electron/ (house style §21, after VS Code's code-import-patterns):
 * every folder of electron/ is a domain, an adapter or an entry point. A new domain is one
 * line in DOMAINS; test/unit/import-rules.test.ts checks each rule still reports.
 */
export const DOMAINS = [
  'oauth',
  'issuer',
  'keys',
  'clients',
  'ledger',
  'tls',
  'secrets',
  'plgd',
  'jobs',
  'local',
  'export',
  'backup',
]
/** The OS and the network, for every domain. */
export const ADAPTERS = ['platform', 'net']
/** The transports and front doors; they call inwards. */
export const ENTRY_POINTS = ['api', 'headless', 'desktop']
/** Domains that own stored records (secrets/ seals them all). */
const STORES = ['keys', 'clients', 'ledger', 'tls', 'secrets']

/** [folders, may not import, why]. The first row naming a pair gives its message. */
const IMPORT_DIRECTION = [
  [
    ['keys'],
    ['ledger'],
    'keys/ signs and never writes the ledger: issuer/sign-and-record-thread.ts joins the two',
  ],
  [
    ADAPTERS,
    [...DOMAINS, ...ENTRY_POINTS, 'app'],
    'adapters (platform/, net/) serve every domain and import none of them',
  ],
  [
    [...DOMAINS, ...ADAPTERS],
    ENTRY_POINTS,
    'api/, headless/ and desktop/ call inwards: nothing inside imports them',
  ],
  [
    STORES,
    DOMAINS.filter((d) => d !== 'secrets'),
    'a store keeps to its own records: oauth/ and issuer/ join stores, stores do not reach sideways',
  ],
]

/** Only these files may import the 'electron' package. */
const ELECTRON_IMPORTERS = [
  'electron/main.ts',
  'electron/preload.ts',
  'electron/desktop/**/*.ts',
  'electron/platform/electron-*.ts',
]

/** no-restricted-imports for a file of electron/<folder> (folder undefined: electron/ itself). */
function importRestrictions(folder, { electronAllowed }) {
  const why = new Map()
  for (const [from, targets, message] of IMPORT_DIRECTION) {
    if (!from.includes(folder)) continue
    for (const target of targets)
      if (target !== folder && !why.has(target)) why.set(target, message)
  }
  const byMessage = new Map()
  for (const [target, message] of why)
    byMessage.set(message, [...(byMessage.get(message) ?? []), target])
  return [
    'error',
    {
      paths: electronAllowed
        ? []
        : [
            {
              name: 'electron',
              message: 'only main.ts, preload.ts, desktop/ and platform/electron-* import electron',
            },
          ],
      patterns: [
        { group: ['**/renderer/**'], message: 'main-process code never imports the renderer' },
        ...[...byMessage].map(([message, targets]) => ({
          // ../x/…, ../../x/… or ../x.js, for a folder or module x of electron/.
          regex: `^(?:\\.\\./)+(?:electron/)?(?:${targets.join('|')})(?:/|\\.js$|$)`,
          message,
        })),
      ],
    },
  ]
}

const folderOf = (glob) => /^electron\/([^/*]+)\//.exec(glob)?.[1]

/** Later entries win: electron/, then each folder, then the files that may import electron. */
const electronLayers = [
  { files: ['electron/**/*.ts'], folder: undefined, electronAllowed: false },
  ...[...DOMAINS, ...ADAPTERS, ...ENTRY_POINTS].map((folder) => ({
    files: [`electron/${folder}/**/*.ts`],
    folder,
    electronAllowed: false,
  })),
  ...ELECTRON_IMPORTERS.map((glob) => ({
    files: [glob],
    folder: folderOf(glob),
    electronAllowed: true,
  })),
].map(({ files, folder, electronAllowed }) => ({
  files,
  rules: { 'no-restricted-imports': importRestrictions(folder, { electronAllowed }) },
}))

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
  ...electronLayers,
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
