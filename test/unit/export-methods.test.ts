// @vitest-environment node
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { createDispatcher } from '../../electron/api/dispatcher.js'
import type { ClientWithSecret, Envelope, ExportedDocument } from '../../shared/contract/index.js'
import { openTestApp, type TestApp } from '../helpers/fakes.js'

let t: TestApp
beforeEach(async () => {
  t = await openTestApp()
})
afterEach(() => t.close())

async function call<T>(method: string, input: unknown): Promise<Envelope<T>> {
  return (await createDispatcher(t.app, 'cli')(method, input)) as Envelope<T>
}

async function value<T>(method: string, input: unknown): Promise<T> {
  const answer = await call<T>(method, input)
  if (!answer.ok) throw new Error(answer.error.message)
  return answer.value
}

function auditText(): string {
  const lines: string[] = []
  t.app.audit.exportJsonl((line) => lines.push(line))
  return lines.join('\n')
}

async function addDps(): Promise<string> {
  const added = await value<ClientWithSecret>('clients.add', { id: 'dps', owner: '1' })
  if (!added.clientSecret) throw new Error('no secret')
  return added.clientSecret
}

describe('export.client', () => {
  it('includes a current secret, URL-escaped in DPS JSON, and audits the export without it', async () => {
    const secret = await addDps()
    const doc = await value<ExportedDocument>('export.client', {
      id: 'dps',
      format: 'dps-json',
      secret,
    })
    expect(doc.redacted).toBe(false)
    expect(doc.containsSecret).toBe(true)
    const parsed = JSON.parse(doc.content) as {
      authorization: { provider: { clientSecret: string; clientId: string; authority: string } }
    }
    expect(parsed.authorization.provider.clientSecret).toBe(`data:,${encodeURIComponent(secret)}`)
    expect(parsed.authorization.provider.clientId).toBe('dps')
    expect(parsed.authorization.provider.authority).toBe(t.app.urls().issuer)
    const audit = auditText()
    expect(audit).toContain('"export.client"')
    expect(audit).toContain('"dps-json"')
    expect(audit).not.toContain(secret)
    expect(audit).not.toContain(encodeURIComponent(secret))
  })

  it('refuses a secret that is not current, and one after rotation without grace', async () => {
    const first = await addDps()
    const wrong = await call('export.client', { id: 'dps', format: 'json', secret: 'x' + first })
    expect(wrong.ok).toBe(false)
    expect(!wrong.ok && wrong.error.code).toBe('invalid_input')
    expect(!wrong.ok && wrong.error.message).toMatch(
      /not a current secret of client dps: a secret can be exported only right after it is created or rotated/,
    )
    await value('clients.rotateSecret', { id: 'dps', graceSeconds: 0 })
    const old = await call('export.client', { id: 'dps', format: 'json', secret: first })
    expect(old.ok).toBe(false)
    expect(auditText()).not.toContain(first)
  })

  it('redacts without a secret: the secret field is a file to create, listed in placeholders', async () => {
    const secret = await addDps()
    const doc = await value<ExportedDocument>('export.client', { id: 'dps', format: 'dps-yaml' })
    expect(doc.redacted).toBe(true)
    expect(doc.containsSecret).toBe(false)
    expect(doc.content).not.toContain(secret)
    expect(doc.content).toContain('clientSecretFile: /secrets/dps/client-secret')
    expect(doc.placeholders).toEqual(['authorization.provider.clientSecretFile'])
  })

  it('refuses a secret for a client that has none, naming its method', async () => {
    await value('clients.add', {
      id: 'signer',
      owner: '1',
      auth: { method: 'private_key_jwt', jwksUri: 'https://keys.example.com/jwks.json' },
    })
    const answer = await call('export.client', { id: 'signer', format: 'json', secret: 'abc' })
    expect(!answer.ok && answer.error.message).toMatch(
      /authenticates with private_key_jwt, not a secret/,
    )
    const plain = await value<ExportedDocument>('export.client', { id: 'signer', format: 'json' })
    expect(plain.redacted).toBe(false)
    expect(JSON.parse(plain.content)).not.toHaveProperty('clientSecretFile')
  })
})

describe('export.issuer', () => {
  it('refuses a client-only format, naming `export client`', async () => {
    const answer = await call('export.issuer', { format: 'dps-json' })
    expect(!answer.ok && answer.error.message).toMatch(/export client ID --format dps-json/)
  })

  it('carries the authority, the token endpoint, the JWKS URI and the claims', async () => {
    const doc = await value<ExportedDocument>('export.issuer', { format: 'json' })
    const urls = t.app.urls()
    expect(JSON.parse(doc.content)).toMatchObject({
      issuer: urls.issuer,
      tokenEndpoint: urls.tokenEndpoint,
      jwksUri: urls.jwksUri,
      ownerClaim: t.app.issuerSettings().ownerClaim,
    })
    expect(auditText()).toContain('"export.issuer"')
  })
})
