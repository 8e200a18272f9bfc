// @vitest-environment node
import { readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { describe, expect, it } from 'vitest'
import { renderContractDocs, renderMethodNames } from '../../electron/api/contract-docs.js'
import { APP_EVENT_TYPES, contract } from '../../shared/contract/index.js'
import { METHOD_NAMES } from '../../shared/method-names.js'

describe('files generated from the contract (run `npm run docs:contract`)', () => {
  it('docs/contract.md is what the contract generates', () => {
    const committed = readFileSync(resolve('docs/contract.md'), 'utf8')
    expect(committed).toBe(renderContractDocs())
  })

  it('shared/method-names.ts is what the contract generates', () => {
    const committed = readFileSync(resolve('shared/method-names.ts'), 'utf8')
    expect(committed).toBe(renderMethodNames())
  })

  it('documents every method the preload and the bridge expose', () => {
    const docs = renderContractDocs()
    for (const method of METHOD_NAMES) expect(docs).toContain(`## \`${method}\``)
    expect(Object.keys(contract)).toEqual([...METHOD_NAMES])
  })

  it('lists every event type once, in the docs too', () => {
    expect(new Set(APP_EVENT_TYPES).size).toBe(APP_EVENT_TYPES.length)
    expect(APP_EVENT_TYPES).toContain('token.issued')
    for (const type of APP_EVENT_TYPES) expect(renderContractDocs()).toContain(`\`${type}\``)
  })
})
