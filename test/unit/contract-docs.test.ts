// @vitest-environment node
import { readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { describe, expect, it } from 'vitest'
import { renderContractDocs } from '../../electron/api/contract-docs.js'
import { contract } from '../../shared/contract.js'
import { METHOD_NAMES } from '../../shared/method-names.js'

describe('contract docs', () => {
  it('docs/contract.md is what the contract generates (run `npm run docs:contract`)', () => {
    const committed = readFileSync(resolve('docs/contract.md'), 'utf8')
    expect(committed).toBe(renderContractDocs())
  })

  it('documents every method the preload and the bridge expose', () => {
    const docs = renderContractDocs()
    for (const method of METHOD_NAMES) expect(docs).toContain(`## \`${method}\``)
    expect(Object.keys(contract).sort()).toEqual([...METHOD_NAMES].sort())
  })
})
