import { methodCommand, option } from './spec.js'
import { readInput } from './values.js'

export const clockCommands = [
  methodCommand({
    words: 'clock skew',
    summary: "how far another machine's clock (its HTTPS Date header) is from ours",
    details:
      "Hubs reject a token whose `iat` is in their future, with no leeway: measure against a hub's discovery URL, then set `settings set --iat-backdate` if needed.",
    args: { name: 'URL' },
    options: { ca: option.text('FILE', 'the CA certificate (PEM) of a hub behind a private CA') },
    examples: [
      'clock skew https://hub.example.lan/.well-known/openid-configuration --ca hub-ca.pem',
    ],
    method: 'clock.skew',
    input: (v, [url]) => ({ url, caPem: v.ca === undefined ? undefined : readInput(v.ca) }),
    human: (c) => {
      const hint =
        Math.abs(c.skewSeconds) >= 1
          ? ' (hubs reject tokens whose iat is in their future: consider settings set --iat-backdate)'
          : ''
      return `${c.url}: ${c.skewSeconds > 0 ? '+' : ''}${c.skewSeconds} s (round trip ${c.roundTripMs} ms)${hint}\n`
    },
  }),
]
