// @vitest-environment node
import { readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { format, resolveConfig } from 'prettier'
import { describe, expect, it } from 'vitest'
import {
  README_INDEX_BEGIN,
  renderCliDocs,
  renderReadmeCliIndex,
  withReadmeCliIndex,
} from '../../electron/headless/cli-docs.js'
import { COMMANDS } from '../../electron/headless/commands/index.js'
import { optionLabel } from '../../electron/headless/usage.js'

describe('files generated from the CLI command table (run `npm run docs:cli`)', () => {
  it('docs/cli.md is what the table generates', () => {
    expect(readFileSync(resolve('docs/cli.md'), 'utf8')).toBe(renderCliDocs())
  })

  it("README.md's command index is what the table generates", () => {
    const readme = readFileSync(resolve('README.md'), 'utf8')
    expect(readme).toContain(README_INDEX_BEGIN)
    expect(readme).toBe(withReadmeCliIndex(readme))
  })

  it('generates Markdown that prettier leaves as it is (npm run lint checks it)', async () => {
    const options = { ...(await resolveConfig(resolve('README.md'))), parser: 'markdown' }
    const docs = renderCliDocs()
    expect(await format(docs, options)).toBe(docs)
    const readme = withReadmeCliIndex(readFileSync(resolve('README.md'), 'utf8'))
    expect(await format(readme, options)).toBe(readme)
  })

  it('gives every command a section with each of its options and its examples', () => {
    const docs = renderCliDocs()
    const sections = docs.split('\n## ').slice(1)
    for (const command of COMMANDS) {
      const section = sections.find((s) => s.startsWith(`\`${command.words}\``))
      expect(section, command.words).toBeDefined()
      for (const [name, spec] of Object.entries(command.options))
        expect(section).toContain(`\`${optionLabel(name, spec)}\``)
      for (const example of command.examples)
        expect(section).toContain(`plgd-m2m-console ${example}`)
      expect(renderReadmeCliIndex()).toContain(`(docs/cli.md#${command.words.replace(/ /g, '-')})`)
    }
  })

  it('documents the options the hand-written README had missed', () => {
    const docs = renderCliDocs()
    const section = (words: string): string =>
      docs.split('\n## ').find((s) => s.startsWith(`\`${words}\``)) ?? ''
    expect(section('token issue')).toContain('`--device-id ID`')
    expect(section('token issue')).toContain('`--owner OWNER`')
    expect(section('settings set')).toContain('`--listen-host HOST`')
  })
})
