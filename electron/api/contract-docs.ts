import { z } from 'zod'
import { APP_EVENT_TYPES, contract, type MethodName } from '../../shared/contract/index.js'
import { ERROR_CODES } from '../../shared/errors.js'

/**
 * Files generated from shared/contract/: docs/contract.md (every method with the JSON Schema of
 * its input) and shared/method-names.ts (the method list, free of zod for the sandboxed
 * preload). A unit test fails when a committed file drifts (`npm run docs:contract` rewrites both).
 */
export function renderContractDocs(): string {
  const lines = [
    '# Console API contract',
    '',
    '<!-- Generated from shared/contract/ by `npm run docs:contract`; do not edit by hand. -->',
    '',
    'Every operation of the console, the same over Electron IPC (`window.plgdConsole.<namespace>.<operation>(input)`),',
    'the headless bridge (`POST /api/rpc/<method>` with the session token) and the CLI control socket.',
    'Each answers an envelope: `{ "ok": true, "value": … }` or `{ "ok": false, "error": { "code", "message" } }`.',
    '',
    `Error codes: ${ERROR_CODES.map((c) => `\`${c}\``).join(', ')}. Only errors meant for the user carry their`,
    'message; anything unexpected is reported as `internal` with a generic message and logged in main.',
    '',
    `Events pushed from main: ${APP_EVENT_TYPES.map((t) => `\`${t}\``).join(', ')}.`,
    '',
  ]
  for (const method of Object.keys(contract).sort() as MethodName[]) {
    const schema = z.toJSONSchema(contract[method].input, { io: 'input', unrepresentable: 'any' })
    delete (schema as { $schema?: string }).$schema
    lines.push(`## \`${method}\``, '', '```json', JSON.stringify(schema, null, 2), '```', '')
  }
  return lines.join('\n')
}

/** shared/method-names.ts: the contract's method names, in the contract's order. */
export function renderMethodNames(): string {
  return [
    '// Generated from shared/contract/ by `npm run docs:contract`; do not edit by hand.',
    '',
    '/**',
    ' * Every contract method by name, free of zod so the sandboxed preload can carry it. A type',
    ' * check in shared/contract/index.ts and a unit test keep it equal to the contract.',
    ' */',
    'export const METHOD_NAMES = [',
    ...Object.keys(contract).map((m) => `  '${m}',`),
    '] as const',
    '',
  ].join('\n')
}
