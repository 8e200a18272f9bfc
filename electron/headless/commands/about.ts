import type { AboutView } from '../../../shared/contract/index.js'
import { methodCommand } from './spec.js'

/** The About dialog's lines, for a terminal. */
export function aboutText(about: AboutView): string {
  const rows: [string, string][] = [
    ['version', about.version],
    ['electron', about.electron ?? 'none (headless)'],
    ['chromium', about.chromium ?? 'none (headless)'],
    ['node', about.node],
    ['data directory', about.dataDir],
    ['vault', about.vault.mode],
    ['licence', about.license],
  ]
  const width = Math.max(...rows.map(([name]) => name.length))
  return [
    `${about.productName} ${about.version}`,
    ...rows.map(([name, value]) => `  ${name.padEnd(width)}  ${value}`),
    '',
  ].join('\n')
}

export const aboutCommands = [
  methodCommand({
    words: 'about',
    summary: 'version, runtime versions, data directory, vault mode and licence of this install',
    details:
      'What the About dialog shows, for a bug report. `--version` prints the version alone without opening the data directory.',
    options: {},
    examples: ['about', 'about --json'],
    method: 'about.get',
    input: () => ({}),
    human: aboutText,
  }),
]
