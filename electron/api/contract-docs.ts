import { z } from 'zod'
import { contract, type MethodName } from '../../shared/contract.js'
import { ERROR_CODES } from '../../shared/errors.js'

/**
 * docs/contract.md, generated from shared/contract.ts: every method with the JSON Schema of its
 * input. A unit test fails when the committed file drifts from the contract
 * (`npm run docs:contract` rewrites it).
 */
export function renderContractDocs(): string {
  const lines = [
    '# Console API contract',
    '',
    '<!-- Generated from shared/contract.ts by `npm run docs:contract`; do not edit by hand. -->',
    '',
    'Every operation of the console, the same over Electron IPC (`window.plgdConsole.<namespace>.<operation>(input)`),',
    'the headless bridge (`POST /api/rpc/<method>` with the session token) and the CLI control socket.',
    'Each answers an envelope: `{ "ok": true, "value": … }` or `{ "ok": false, "error": { "code", "message" } }`.',
    '',
    `Error codes: ${ERROR_CODES.map((c) => `\`${c}\``).join(', ')}. Only errors meant for the user carry their`,
    'message; anything unexpected is reported as `internal` with a generic message and logged in main.',
    '',
    'Events pushed from main: `token.issued`, `token.revoked`, `key.rotated`, `client.changed`, `issuer.state`.',
    '',
  ]
  for (const method of Object.keys(contract).sort() as MethodName[]) {
    const schema = z.toJSONSchema(contract[method].input, { io: 'input', unrepresentable: 'any' })
    delete (schema as { $schema?: string }).$schema
    lines.push(`## \`${method}\``, '', '```json', JSON.stringify(schema, null, 2), '```', '')
  }
  return lines.join('\n')
}
