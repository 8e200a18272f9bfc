import type {
  AuditPage,
  AuditVerification,
  ClientView,
  ClockSkew,
  StatusView,
  ClientWithSecret,
  IssuedToken,
  KeyView,
  TokenPage,
} from '../../shared/contract/index.js'

/** Human-readable CLI output, one formatter per contract method. */
export function printHuman(method: string, value: unknown): string {
  switch (method) {
    case 'clients.add':
    case 'clients.rotateSecret': {
      const { client, clientSecret } = value as ClientWithSecret
      if (clientSecret === undefined) return `${describeClient(client)}\n`
      return (
        `${describeClient(client)}\n` +
        `client secret: ${clientSecret}\n` +
        'This secret is shown once and stored only as a hash: save it now.\n'
      )
    }
    case 'clients.list':
      return table(
        ['ID', 'OWNER', 'LIFETIME', 'STATE'],
        (value as ClientView[]).map((c) => [
          c.id,
          c.owner,
          `${c.maxLifetimeSeconds}s`,
          c.disabled ? 'disabled' : 'enabled',
        ]),
        'no clients yet: add one with `clients add --id ID --owner OWNER`',
      )
    case 'clients.get':
    case 'clients.setDisabled':
      return `${describeClient(value as ClientView)}\n`
    case 'clients.remove':
      return 'removed\n'
    case 'tokens.issue': {
      const t = value as IssuedToken
      return `${t.accessToken}\n(expires in ${t.expiresIn} s, at ${new Date(t.expiresAt * 1000).toISOString()}; jti ${t.jti})\n`
    }
    case 'keys.list':
    case 'keys.rotate':
      return table(
        ['KID', 'ALG', 'STATE', 'ORIGIN', 'RETIRES'],
        (value as KeyView[]).map((k) => [
          k.kid,
          k.alg,
          k.state,
          k.origin,
          k.retireAt ? new Date(k.retireAt * 1000).toISOString() : '',
        ]),
        'no keys',
      )
    case 'tokens.list': {
      const page = value as TokenPage
      return (
        table(
          ['JTI', 'CLIENT', 'OWNER', 'EXPIRES', 'STATE'],
          page.items.map((t) => [
            t.id,
            t.clientId,
            t.owner,
            new Date(t.expiration * 1000).toISOString(),
            t.blacklisted ? 'revoked' : t.expiration * 1000 < Date.now() ? 'expired' : 'active',
          ]),
          'no tokens',
        ) + `(${page.items.length} of ${page.total})\n`
      )
    }
    case 'tokens.revoke':
      return `revoked ${(value as { blacklistedCount: number }).blacklistedCount} token(s)\n`
    case 'audit.list':
      return table(
        ['SEQ', 'AT', 'ACTOR', 'ACTION', 'SUBJECT'],
        (value as AuditPage).items.map((e) => [
          String(e.seq),
          new Date(e.at * 1000).toISOString(),
          e.actor,
          e.action,
          e.subject,
        ]),
        'the audit log is empty',
      )
    case 'audit.verify': {
      const v = value as AuditVerification
      return v.ok
        ? `audit log intact: ${v.entries} entries verified\n`
        : `AUDIT LOG TAMPERED: the chain breaks at entry ${v.brokenAt} (${v.entries} entries)\n`
    }
    case 'clock.skew': {
      const c = value as ClockSkew
      const hint =
        Math.abs(c.skewSeconds) >= 1
          ? ' (hubs reject tokens whose iat is in their future: consider settings set --iat-backdate)'
          : ''
      return `${c.url}: ${c.skewSeconds > 0 ? '+' : ''}${c.skewSeconds} s (round trip ${c.roundTripMs} ms)${hint}\n`
    }
    case 'status.get':
    case 'settings.update':
      return `${JSON.stringify(method === 'status.get' ? (value as StatusView).settings : value, null, 2)}\n`
    case 'keys.import': {
      const k = value as KeyView
      return `imported ${k.kid} (${k.alg}) as ${k.state}\n`
    }
    default:
      return `${JSON.stringify(value, null, 2)}\n`
  }
}

function describeClient(c: ClientView): string {
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
        .map((s) =>
          s.expiresAt ? `valid until ${new Date(s.expiresAt * 1000).toISOString()}` : 'current',
        )
        .join(', ') || '(none)',
    ],
  ]
  return lines.map(([k, v]) => `${k!.padEnd(13)} ${v}`).join('\n')
}

function table(head: string[], rows: string[][], empty: string): string {
  if (rows.length === 0) return `${empty}\n`
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)))
  const line = (r: string[]): string =>
    r
      .map((c, i) => c.padEnd(widths[i]!))
      .join('  ')
      .trimEnd()
  return `${[head, ...rows].map(line).join('\n')}\n`
}
