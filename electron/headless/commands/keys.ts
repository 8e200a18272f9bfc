import type { KeyView } from '../../../shared/contract/index.js'
import { SIGNING_ALGORITHMS } from '../../../shared/enums.js'
import { isoTime, table } from '../output.js'
import { methodCommand, option } from './spec.js'
import { readInput } from './values.js'

function keyTable(keys: KeyView[]): string {
  return table(
    ['KID', 'ALG', 'STATE', 'ORIGIN', 'RETIRES'],
    keys.map((k) => [k.kid, k.alg, k.state, k.origin, k.retireAt ? isoTime(k.retireAt) : '']),
    'no keys',
  )
}

export const keysCommands = [
  methodCommand({
    words: 'keys list',
    summary:
      'signing keys: active (signs), next (published, signs after the next rotation), retiring (published until its tokens expired)',
    options: {},
    examples: ['keys list'],
    method: 'keys.list',
    input: () => ({}),
    human: keyTable,
  }),
  methodCommand({
    words: 'keys rotate',
    summary: 'the next key starts signing and a new next key is published',
    details: 'The old key retires once the longest token lifetime has passed.',
    options: {
      alg: option.choice(SIGNING_ALGORITHMS, 'algorithm of the new next key'),
    },
    examples: ['keys rotate --alg ES384'],
    method: 'keys.rotate',
    input: (v) => ({ alg: v.alg }),
    human: keyTable,
  }),
  methodCommand({
    words: 'keys import',
    summary: "import a plgd PEM key (PKCS#8, SEC1 or PKCS#1) with plgd's own kid, as the next key",
    args: { name: 'FILE' },
    options: { activate: option.flag('sign with it at once') },
    examples: ['keys import plgd-signing.key --activate'],
    method: 'keys.import',
    input: (v, [file]) => ({ pem: readInput(file), activate: v.activate }),
    human: (k) => `imported ${k.kid} (${k.alg}) as ${k.state}\n`,
  }),
]
