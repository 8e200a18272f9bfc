// @vitest-environment node
import {
  createCipheriv,
  createDecipheriv,
  createPrivateKey,
  createPublicKey,
  KeyObject,
  randomBytes,
  webcrypto,
  X509Certificate,
} from 'node:crypto'
import { createServer, request, type RequestOptions } from 'node:https'
import type { AddressInfo } from 'node:net'
import { beforeAll, describe, expect, it } from 'vitest'
import {
  ensureTls,
  serverHostsFor,
  type EnsureTlsResult,
  type Sealer,
} from '../../electron/tls/local-ca.js'

const DAY = 24 * 60 * 60 * 1000

// Real AES-256-GCM with the AAD bound in, so opening with the wrong AAD throws like production.
function makeSealer(): Sealer & { opened: string[] } {
  const key = randomBytes(32)
  const opened: string[] = []
  return {
    opened,
    seal(plaintext, aad) {
      const iv = randomBytes(12)
      const cipher = createCipheriv('aes-256-gcm', key, iv)
      cipher.setAAD(Buffer.from(aad))
      const ct = Buffer.concat([cipher.update(plaintext), cipher.final()])
      return Buffer.concat([iv, cipher.getAuthTag(), ct]).toString('base64')
    },
    open(sealed, aad) {
      opened.push(aad)
      const buf = Buffer.from(sealed, 'base64')
      const decipher = createDecipheriv('aes-256-gcm', key, buf.subarray(0, 12))
      decipher.setAAD(Buffer.from(aad))
      decipher.setAuthTag(buf.subarray(12, 28))
      return Buffer.concat([decipher.update(buf.subarray(28)), decipher.final()])
    },
  }
}

const notBefore = (c: X509Certificate) => new Date(c.validFrom).getTime()
const notAfter = (c: X509Certificate) => new Date(c.validTo).getTime()
const spanDays = (c: X509Certificate) => (notAfter(c) - notBefore(c)) / DAY
const spki = (key: KeyObject | Parameters<typeof createPublicKey>[0]) =>
  (key instanceof KeyObject && key.type === 'public' ? key : createPublicKey(key)).export({
    format: 'der',
    type: 'spki',
  })

/** A leaf for `names` signed with the CA's own key: what a thief of the CA key could mint. */
async function leafSignedByCa(
  result: EnsureTlsResult,
  sealer: Sealer,
  names: string[],
): Promise<{ cert: string; key: string }> {
  await import('reflect-metadata')
  const x509 = await import('@peculiar/x509')
  x509.cryptoProvider.set(webcrypto as unknown as Crypto)
  const alg = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' }
  const caKey = await webcrypto.subtle.importKey(
    'pkcs8',
    sealer.open(result.stored.caKeySealed, 'tls:ca-key'),
    alg,
    false,
    ['sign'],
  )
  const keys = await webcrypto.subtle.generateKey(alg, true, ['sign', 'verify'])
  const ca = new x509.X509Certificate(result.stored.caCertPem)
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: '01',
    subject: `CN=${names[0]}`,
    issuer: ca.subjectName,
    notBefore: new Date(Date.now() - 60_000),
    notAfter: new Date(Date.now() + DAY),
    signingAlgorithm: alg,
    publicKey: keys.publicKey,
    signingKey: caKey,
    extensions: [
      new x509.SubjectAlternativeNameExtension(
        names.map((value) => ({ type: 'dns' as const, value })),
      ),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
    ],
  })
  const key = createPrivateKey({
    key: Buffer.from(await webcrypto.subtle.exportKey('pkcs8', keys.privateKey)),
    format: 'der',
    type: 'pkcs8',
  }).export({ format: 'pem', type: 'pkcs8' }) as string
  return { cert: cert.toString('pem'), key }
}

/** Whether a TLS client trusting only `ca` accepts `leaf` for `servername`: null, or its error. */
async function tlsRefusal(
  ca: string,
  leaf: { cert: string; key: string },
  servername: string,
): Promise<string | null> {
  const server = createServer(leaf, (_req, res) => res.end('ok'))
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  try {
    return await new Promise<string | null>((resolve) => {
      const req = request(
        { host: '127.0.0.1', port, path: '/', agent: false, ca, servername },
        (res) => {
          res.resume()
          res.on('end', () => resolve(null))
        },
      )
      req.on('error', (err: NodeJS.ErrnoException) => resolve(`${err.code} ${err.message}`))
      req.end()
    })
  } finally {
    server.closeAllConnections()
    await new Promise<void>((resolve) => server.close(() => resolve()))
  }
}

describe('the CA name constraints (issue 16)', () => {
  it('let a stolen CA key mint nothing a client accepts outside the names it serves', async () => {
    const sealer = makeSealer()
    const made = await ensureTls({
      stored: undefined,
      hosts: serverHostsFor('0.0.0.0', 'hub.example.test'),
      now: new Date(),
      sealer,
    })
    const ca = made.material.caCertPem
    // Control: the CA key signs a leaf for a name it serves, accepted.
    expect(
      await tlsRefusal(
        ca,
        await leafSignedByCa(made, sealer, ['hub.example.test']),
        'hub.example.test',
      ),
    ).toBeNull()
    // Outside the constraints: refused by the client's own chain validation.
    expect(
      await tlsRefusal(
        ca,
        await leafSignedByCa(made, sealer, ['bank.example.com']),
        'bank.example.com',
      ),
    ).toMatch(/permitted subtree violation/)
  })
})

describe('serverHostsFor', () => {
  it('always covers loopback and skips wildcard bind addresses', () => {
    const loopback = ['127.0.0.1', '::1', 'localhost']
    expect(serverHostsFor('0.0.0.0', undefined)).toEqual(loopback)
    expect(serverHostsFor('::', undefined)).toEqual(loopback)
    expect(serverHostsFor('[::]', '')).toEqual(loopback)
    expect(serverHostsFor('127.0.0.1', 'localhost')).toEqual(loopback)
  })

  it('adds the listen and public hosts, sorted, deduplicated and canonical', () => {
    expect(serverHostsFor('192.168.1.10', 'Hub.Example.COM')).toEqual([
      '127.0.0.1',
      '192.168.1.10',
      '::1',
      'hub.example.com',
      'localhost',
    ])
    expect(serverHostsFor('[0:0:0:0:0:0:0:1]', '192.168.1.10')).toEqual([
      '127.0.0.1',
      '192.168.1.10',
      '::1',
      'localhost',
    ])
  })
})

describe('ensureTls', () => {
  const now = new Date()
  const hosts = serverHostsFor('0.0.0.0', 'hub.example.test')
  let sealer: ReturnType<typeof makeSealer>
  let first: EnsureTlsResult
  let ca: X509Certificate

  beforeAll(async () => {
    sealer = makeSealer()
    first = await ensureTls({ stored: undefined, hosts, now, sealer })
    ca = new X509Certificate(first.material.caCertPem)
  })

  it('creates a 10-year CA and a 1-year server certificate signed by it', () => {
    expect(first.changed).toBe(true)

    expect(ca.ca).toBe(true)
    expect(ca.subject).toMatch(/^CN=plgd M2M Console local CA [0-9a-f]{8}$/)
    expect(ca.checkIssued(ca)).toBe(true)
    expect(spanDays(ca)).toBeGreaterThan(3650)
    expect(spanDays(ca)).toBeLessThan(3654)
    expect(notBefore(ca)).toBeLessThan(now.getTime())

    const server = new X509Certificate(first.material.certPem)
    expect(server.ca).toBe(false)
    expect(server.subject).toBe('CN=hub.example.test')
    expect(server.checkIssued(ca)).toBe(true)
    expect(server.verify(ca.publicKey)).toBe(true)
    expect(server.checkHost('localhost')).toBe('localhost')
    expect(server.checkHost('hub.example.test')).toBe('hub.example.test')
    expect(server.checkHost('other.example.test')).toBeUndefined()
    expect(server.checkIP('127.0.0.1')).toBe('127.0.0.1')
    expect(server.checkIP('::1')).toBe('::1')
    expect(server.keyUsage).toEqual(['1.3.6.1.5.5.7.3.1'])
    expect(spanDays(server)).toBeGreaterThan(364.9)
    expect(spanDays(server)).toBeLessThan(365.1)
    expect(first.material.notAfter.getTime()).toBe(notAfter(server))

    // 16 octets, positive, minimal DER
    expect(server.serialNumber).toMatch(/^[4-7][0-9a-f]{31}$/i)
    expect(ca.serialNumber).toMatch(/^[4-7][0-9a-f]{31}$/i)

    expect(first.material.keyPem).toMatch(/^-----BEGIN PRIVATE KEY-----\n/)
    expect(spki(first.material.keyPem).equals(spki(server.publicKey))).toBe(true)

    expect(first.stored).toMatchObject({
      caCertPem: first.material.caCertPem,
      serverCertPem: first.material.certPem,
      serverHosts: hosts,
    })
  })

  it('stores private keys only sealed, bound to their role', () => {
    const serialized = JSON.stringify(first.stored)
    const keyBody = first.material.keyPem.split('\n').slice(1, -2).join('')
    expect(serialized).not.toContain('PRIVATE KEY')
    expect(serialized).not.toContain(keyBody)
    expect(serialized).not.toContain(keyBody.slice(0, 24))

    const pkcs8 = (der: Buffer) => createPrivateKey({ key: der, format: 'der', type: 'pkcs8' })
    const serverKey = pkcs8(sealer.open(first.stored.serverKeySealed, 'tls:server-key'))
    expect(serverKey.export({ format: 'pem', type: 'pkcs8' })).toBe(first.material.keyPem)
    const caKey = pkcs8(sealer.open(first.stored.caKeySealed, 'tls:ca-key'))
    expect(spki(caKey).equals(spki(ca.publicKey))).toBe(true)

    expect(() => sealer.open(first.stored.serverKeySealed, 'tls:ca-key')).toThrow()
    expect(() => sealer.open(first.stored.caKeySealed, 'tls:server-key')).toThrow()
  })

  it('reuses stored material when nothing relevant changed, without touching the CA key', async () => {
    sealer.opened.length = 0
    const again = await ensureTls({
      stored: first.stored,
      hosts: [...hosts].reverse().concat('LOCALHOST'),
      now: new Date(now.getTime() + 300 * DAY),
      sealer,
    })
    expect(again.changed).toBe(false)
    expect(again.stored).toEqual(first.stored)
    expect(again.material).toEqual(first.material)
    expect(sealer.opened).toEqual(['tls:server-key'])
  })

  it('re-issues the server certificate with a new key when the hosts narrow, keeping the CA', async () => {
    const hosts2 = serverHostsFor('0.0.0.0', undefined)
    const next = await ensureTls({ stored: first.stored, hosts: hosts2, now, sealer })
    expect(next.changed).toBe(true)
    expect(next.stored.caCertPem).toBe(first.stored.caCertPem)
    expect(next.stored.caKeySealed).toBe(first.stored.caKeySealed)
    expect(next.stored.serverHosts).toEqual(hosts2)
    expect(next.stored.caHosts).toEqual(hosts)
    expect(next.material.keyPem).not.toBe(first.material.keyPem)

    const server = new X509Certificate(next.material.certPem)
    expect(server.checkIssued(ca) && server.verify(ca.publicKey)).toBe(true)
    expect(server.checkHost('localhost')).toBe('localhost')
    expect(server.checkHost('hub.example.test')).toBeUndefined()
    expect(server.serialNumber).not.toBe(new X509Certificate(first.material.certPem).serialNumber)
  })

  // Issue 16: the CA's name constraints cover only the names it was made for.
  it('makes a new CA when the hosts leave its name constraints', async () => {
    const hosts2 = serverHostsFor('0.0.0.0', 'other.example.test')
    const next = await ensureTls({ stored: first.stored, hosts: hosts2, now, sealer })
    expect(next.changed).toBe(true)
    expect(next.stored.caCertPem).not.toBe(first.stored.caCertPem)
    expect(next.stored.caHosts).toEqual(hosts2)
    const server = new X509Certificate(next.material.certPem)
    expect(server.checkHost('other.example.test')).toBe('other.example.test')
    expect(server.checkIssued(new X509Certificate(next.material.caCertPem))).toBe(true)
  })

  it('keeps a CA made before name constraints (hubs trust it) while it lasts', async () => {
    const legacy = { ...first.stored }
    delete legacy.caHosts
    const hosts2 = serverHostsFor('0.0.0.0', 'other.example.test')
    const next = await ensureTls({ stored: legacy, hosts: hosts2, now, sealer })
    expect(next.stored.caCertPem).toBe(first.stored.caCertPem)
    expect(next.stored.caHosts).toBeUndefined()
  })

  it('renews the server certificate when fewer than 30 days remain, keeping the CA', async () => {
    const later = new Date(now.getTime() + 340 * DAY)
    const renewed = await ensureTls({ stored: first.stored, hosts, now: later, sealer })
    expect(renewed.changed).toBe(true)
    expect(renewed.stored.caCertPem).toBe(first.stored.caCertPem)
    expect(renewed.stored.caKeySealed).toBe(first.stored.caKeySealed)

    const server = new X509Certificate(renewed.material.certPem)
    expect(server.checkIssued(ca) && server.verify(ca.publicKey)).toBe(true)
    expect(notBefore(server)).toBeLessThanOrEqual(later.getTime())
    expect(Math.abs(notAfter(server) - (later.getTime() + 365 * DAY))).toBeLessThan(2000)

    // ...and the renewed material is then stable.
    const again = await ensureTls({ stored: renewed.stored, hosts, now: later, sealer })
    expect(again.changed).toBe(false)
  })

  it('never issues a server certificate beyond the CA, and replaces a CA about to expire', async () => {
    const caEnd = notAfter(ca)
    const late = new Date(caEnd - 100 * DAY)
    const capped = await ensureTls({ stored: first.stored, hosts, now: late, sealer })
    expect(capped.changed).toBe(true)
    expect(capped.stored.caCertPem).toBe(first.stored.caCertPem)
    expect(notAfter(new X509Certificate(capped.material.certPem))).toBe(caEnd)

    const veryLate = new Date(caEnd - 20 * DAY)
    const rotated = await ensureTls({ stored: capped.stored, hosts, now: veryLate, sealer })
    expect(rotated.changed).toBe(true)
    expect(rotated.stored.caCertPem).not.toBe(first.stored.caCertPem)
    const newCa = new X509Certificate(rotated.material.caCertPem)
    expect(newCa.subject).not.toBe(ca.subject)
    expect(notAfter(newCa) - veryLate.getTime()).toBeGreaterThan(3650 * DAY)
    const server = new X509Certificate(rotated.material.certPem)
    expect(server.checkIssued(newCa) && server.verify(newCa.publicKey)).toBe(true)
    expect(server.verify(ca.publicKey)).toBe(false)
  })

  it('rejects an empty host list', async () => {
    await expect(ensureTls({ stored: undefined, hosts: [' '], now, sealer })).rejects.toThrow(
      /host/,
    )
  })

  it('serves TLS that verifies only for clients trusting the CA', async () => {
    const server = createServer(
      { key: first.material.keyPem, cert: first.material.certPem },
      (_req, res) => res.end('ok'),
    )
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    const { port } = server.address() as AddressInfo
    const get = (options: RequestOptions) =>
      new Promise<string>((resolve, reject) => {
        const req = request(
          {
            host: '127.0.0.1',
            port,
            path: '/',
            agent: false,
            rejectUnauthorized: true,
            ...options,
          },
          (res) => {
            let body = ''
            res.setEncoding('utf8')
            res.on('data', (chunk: string) => (body += chunk))
            res.on('end', () => resolve(body))
          },
        )
        req.on('error', reject)
        req.end()
      })

    try {
      const ca = first.material.caCertPem
      expect(await get({ ca, servername: 'localhost' })).toBe('ok')
      // No SNI: Node checks the IP SAN against the address dialled.
      expect(await get({ ca })).toBe('ok')
      await expect(get({ servername: 'localhost' })).rejects.toMatchObject({
        code: expect.stringMatching(/CERT|SIGNATURE/),
      })
      await expect(get({ ca, servername: 'wrong.example.test' })).rejects.toMatchObject({
        code: 'ERR_TLS_CERT_ALTNAME_INVALID',
      })
    } finally {
      server.closeAllConnections()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    }
  })
})
