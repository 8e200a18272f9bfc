import type { ClientView, ClientWithSecret } from '../../shared/contract/index.js'

/** Building blocks of the CLI's human-readable output; each command composes its own. */

/**
 * Unix seconds → local time with its offset, `2026-12-02 20:13:37 +01:00`: the one format of
 * the CLI's human output and the console (renderer/src/lib/format.ts), unambiguous on its own.
 */
export function isoTime(unixSeconds: number): string {
  const d = new Date(unixSeconds * 1000)
  const pad = (n: number) => String(Math.abs(n)).padStart(2, '0')
  const offset = -d.getTimezoneOffset()
  const zone = `${offset < 0 ? '-' : '+'}${pad(Math.trunc(offset / 60))}:${pad(offset % 60)}`
  return (
    `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ` +
    `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())} ${zone}`
  )
}

export function prettyJson(value: unknown): string {
  return `${JSON.stringify(value, null, 2)}\n`
}

/** A new client or a rotated secret: the secret, when there is one, is shown this once. */
export function describeClientWithSecret({ client, clientSecret }: ClientWithSecret): string {
  if (clientSecret === undefined) return `${describeClient(client)}\n`
  return (
    `${describeClient(client)}\n` +
    `client secret: ${clientSecret}\n` +
    'This secret is shown once and stored only as a hash: save it now.\n'
  )
}

export function describeClient(c: ClientView): string {
  const lines = [
    ['client', c.id],
    ['owner', c.owner || '(from the assertion)'],
    ['authenticates', c.auth.method.replace(/_/g, ' ')],
    ['other owners', c.allowedOwners.join(' ') || '(none)'],
    ['device id', c.allowDeviceId ? 'may be requested' : 'not allowed'],
    ['state', c.disabled ? 'disabled' : 'enabled'],
    ['audiences', c.audiences.join(' ') || '(none)'],
    ['scopes', c.scopes.join(' ') || '(none)'],
    ['max lifetime', `${c.maxLifetimeSeconds} s`],
    ['token type', c.tokenType],
    ['extra claims', Object.keys(c.extraClaims).length ? JSON.stringify(c.extraClaims) : '(none)'],
    [
      'secrets',
      c.secrets
        .map(
          (s) =>
            // A secret with an end is a rotated-out one still accepted for its grace period;
            // a disabled client's secrets are accepted for nothing, as the console says too.
            (c.disabled
              ? 'not usable: the client is disabled'
              : s.expiresAt
                ? `previous secret, accepted until ${isoTime(s.expiresAt)} (rotation grace)`
                : 'current') + (s.fingerprint ? ` [${s.fingerprint}]` : ''),
        )
        .join(', ') || '(none)',
    ],
  ]
  return lines.map(([k, v]) => `${k!.padEnd(13)} ${v}`).join('\n')
}

/** Left-aligned columns under a header; `empty` instead when there are no rows. */
export function table(head: string[], rows: string[][], empty: string): string {
  if (rows.length === 0) return `${empty}\n`
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)))
  const line = (r: string[]): string =>
    r
      .map((c, i) => c.padEnd(widths[i]!))
      .join('  ')
      .trimEnd()
  return `${[head, ...rows].map(line).join('\n')}\n`
}
