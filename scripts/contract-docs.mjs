// Rewrites docs/contract.md from the compiled contract (run `npm run build` first).
import { writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'

const require = createRequire(import.meta.url)
const { renderContractDocs } = require('../dist/node/electron/api/contract-docs.js')
writeFileSync(new URL('../docs/contract.md', import.meta.url), renderContractDocs())
console.log('wrote docs/contract.md')
