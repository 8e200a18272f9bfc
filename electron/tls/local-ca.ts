import { createPrivateKey, randomBytes, webcrypto, X509Certificate } from 'node:crypto'
import { isIP } from 'node:net'
import { domainToASCII } from 'node:url'

// Type-only: the runtime library is loaded on demand (see loadX509) so that CLI start-up and
// the common "reuse what is stored" path never pay for parsing it.
type X509 = typeof import('@peculiar/x509')

export interface StoredTls {
  caCertPem: string
  caKeySealed: string // sealed PKCS#8 DER of the CA private key
  serverCertPem: string
  serverKeySealed: string // sealed PKCS#8 DER of the server private key
  serverHosts: string[] // sorted, deduplicated list of DNS names and IPs the server cert covers
  /**
   * The names and addresses the CA's name constraints permit (sorted). Absent for a CA made
   * before name constraints: it stays in use (hubs trust it) until it is due for renewal.
   */
  caHosts?: string[]
}

export interface Sealer {
  seal(plaintext: Buffer, aad: string): string
  open(sealed: string, aad: string): Buffer
}

export interface TlsMaterial {
  caCertPem: string
  certPem: string
  keyPem: string
  notAfter: Date
}

export interface EnsureTlsResult {
  stored: StoredTls
  material: TlsMaterial
  changed: boolean
}

// Distinct AADs bind each sealed blob to its role, so the two keys can't be swapped in storage.
const AAD_CA_KEY = 'tls:ca-key'
const AAD_SERVER_KEY = 'tls:server-key'

const DAY_MS = 24 * 60 * 60 * 1000
// Renew well before expiry so an app that is started only occasionally never serves an expired cert.
const RENEW_BEFORE_MS = 30 * DAY_MS
// Tolerate modest clock skew between this machine, the hub and devices.
const BACKDATE_MS = 5 * 60 * 1000
/**
 * Lifetimes (SECURITY.md): the CA 10 years, replaced when fewer than 30 days remain or when the
 * served names leave its name constraints; the server certificate 365 days, renewed 30 days
 * before its end, never beyond the CA.
 */
const CA_YEARS = 10
// Stays under the 398-day ceiling that browsers and Apple platforms enforce for TLS server certs.
const SERVER_DAYS = 365
// RFC 5280 upper bound for commonName.
const MAX_CN_LENGTH = 64

const EC_KEY = { name: 'ECDSA', namedCurve: 'P-256' } as const
const SIGNING_ALG = { name: 'ECDSA', hash: 'SHA-256' } as const
const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '::1'])

export function serverHostsFor(listenHost: string, publicHost: string | undefined): string[] {
  const hosts = ['localhost', '127.0.0.1', '::1']
  const listen = normalizeHost(listenHost)
  // A wildcard bind address is not something a client can dial, so it doesn't belong in the SAN.
  if (listen !== undefined && listen !== '0.0.0.0' && listen !== '::') hosts.push(listen)
  if (publicHost !== undefined) hosts.push(publicHost)
  return normalizeHosts(hosts).sorted
}

/** hosts: DNS names and/or IP literals (v4 or v6) to put in subjectAltName; always include what is given. */
export async function ensureTls(opts: {
  stored: StoredTls | undefined
  hosts: string[]
  now: Date
  sealer: Sealer
}): Promise<EnsureTlsResult> {
  const { stored, now, sealer } = opts
  const hosts = normalizeHosts(opts.hosts)
  if (hosts.sorted.length === 0) throw new Error('ensureTls: at least one host is required')

  if (stored) {
    // Corrupt or unopenable material throws instead of being silently replaced: replacing the CA
    // would break the hub's trust in this issuer, and that should be a visible decision.
    const ca = new X509Certificate(stored.caCertPem)
    // A CA whose name constraints do not cover the hosts could not vouch for them: replaced.
    const covers =
      stored.caHosts === undefined || hosts.sorted.every((h) => stored.caHosts!.includes(h))
    if (ca.ca && isUsable(ca, now) && covers) {
      const server = new X509Certificate(stored.serverCertPem)
      if (
        isUsable(server, now) &&
        sameList(stored.serverHosts, hosts.sorted) &&
        server.checkIssued(ca) &&
        server.verify(ca.publicKey)
      ) {
        const keyDer = sealer.open(stored.serverKeySealed, AAD_SERVER_KEY)
        return {
          stored,
          material: materialFor(stored.caCertPem, stored.serverCertPem, server, keyDer),
          changed: false,
        }
      }

      const x509 = await loadX509()
      const caKeyDer = sealer.open(stored.caKeySealed, AAD_CA_KEY)
      const issued = await issueServer(x509, stored.caCertPem, caKeyDer, hosts, now)
      caKeyDer.fill(0) // best effort: don't leave the CA key lying around in the heap
      return finish(
        stored.caCertPem,
        stored.caKeySealed,
        issued,
        hosts.sorted,
        sealer,
        stored.caHosts,
      )
    }
  }

  // First start, the CA itself is about to expire, or the hosts left its name constraints: a new
  // CA means the hub must be given the new caCertPem, which the caller learns from `changed`.
  const x509 = await loadX509()
  const ca = await createCa(x509, now, hosts.sorted)
  const issued = await issueServer(x509, ca.certPem, ca.keyDer, hosts, now)
  const caKeySealed = sealer.seal(ca.keyDer, AAD_CA_KEY)
  ca.keyDer.fill(0)
  return finish(ca.certPem, caKeySealed, issued, hosts.sorted, sealer, hosts.sorted)
}

interface Issued {
  certPem: string
  keyDer: Buffer
}

function finish(
  caCertPem: string,
  caKeySealed: string,
  issued: Issued,
  serverHosts: string[],
  sealer: Sealer,
  caHosts: string[] | undefined,
): EnsureTlsResult {
  const stored: StoredTls = {
    caCertPem,
    caKeySealed,
    serverCertPem: issued.certPem,
    serverKeySealed: sealer.seal(issued.keyDer, AAD_SERVER_KEY),
    serverHosts,
    ...(caHosts ? { caHosts } : {}),
  }
  const server = new X509Certificate(issued.certPem)
  const material = materialFor(caCertPem, issued.certPem, server, issued.keyDer)
  return { stored, material, changed: true }
}

function materialFor(
  caCertPem: string,
  certPem: string,
  server: X509Certificate,
  keyDer: Buffer,
): TlsMaterial {
  const keyPem = createPrivateKey({ key: keyDer, format: 'der', type: 'pkcs8' }).export({
    format: 'pem',
    type: 'pkcs8',
  }) as string
  return { caCertPem, certPem, keyPem, notAfter: validity(server).notAfter }
}

async function createCa(
  x509: X509,
  now: Date,
  hosts: string[],
): Promise<{ certPem: string; keyDer: Buffer }> {
  const keys = await webcrypto.subtle.generateKey(EC_KEY, true, ['sign', 'verify'])
  const notAfter = new Date(now.getTime())
  notAfter.setUTCFullYear(notAfter.getUTCFullYear() + CA_YEARS)
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: randomSerial(),
    // The suffix keeps CAs of different installs (and successive CAs of one install)
    // distinguishable in a hub's trust store and stops issuer-name collisions in path building.
    name: [{ CN: [`plgd M2M Console local CA ${randomBytes(4).toString('hex')}`] }],
    notBefore: new Date(now.getTime() - BACKDATE_MS),
    notAfter,
    signingAlgorithm: SIGNING_ALG,
    keys,
    extensions: [
      // pathLen 0: this CA only ever signs leaf certs, so a leaked key can't mint sub-CAs.
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(
        x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign,
        true,
      ),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
      // Critical, as RFC 5280 asks: a leaked CA key mints nothing a hub accepts for other names.
      new x509.Extension(NAME_CONSTRAINTS_OID, true, arrayBufferOf(nameConstraintsDer(hosts))),
    ],
  })
  const keyDer = Buffer.from(await webcrypto.subtle.exportKey('pkcs8', keys.privateKey))
  return { certPem: pemFile(cert.toString('pem')), keyDer }
}

const NAME_CONSTRAINTS_OID = '2.5.29.30'

/**
 * DER of NameConstraints (RFC 5280 4.2.1.10) permitting exactly these DNS names (and their
 * subdomains, as dNSName constraints do) and these single IP addresses. Written by hand:
 * @peculiar/x509 has no class for it, and the structure is four tags deep.
 */
export function nameConstraintsDer(hosts: string[]): Buffer {
  const subtrees = hosts.map((host) => {
    const kind = isIP(host)
    const base =
      kind === 0
        ? tlv(0x82, Buffer.from(host, 'ascii')) // dNSName [2] IA5String
        : tlv(0x87, ipWithMask(host, kind)) // iPAddress [7]: address, then all-ones mask
    return tlv(0x30, base) // GeneralSubtree: base only (minimum 0 is the default)
  })
  // NameConstraints SEQUENCE { permittedSubtrees [0] IMPLICIT GeneralSubtrees }
  return tlv(0x30, tlv(0xa0, Buffer.concat(subtrees)))
}

/** A Buffer's own bytes as an ArrayBuffer (a small Buffer may sit in Node's shared pool). */
function arrayBufferOf(buf: Buffer): ArrayBuffer {
  return buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength) as ArrayBuffer
}

function tlv(tag: number, content: Buffer): Buffer {
  const n = content.length
  const length =
    n < 0x80
      ? Buffer.from([n])
      : n < 0x100
        ? Buffer.from([0x81, n])
        : Buffer.from([0x82, n >> 8, n & 0xff])
  return Buffer.concat([Buffer.from([tag]), length, content])
}

function ipWithMask(ip: string, kind: number): Buffer {
  const address = kind === 4 ? Buffer.from(ip.split('.').map(Number)) : ipv6Bytes(ip)
  return Buffer.concat([address, Buffer.alloc(address.length, 0xff)])
}

/** The 16 bytes of a canonical (URL-normalised, no embedded IPv4) IPv6 address. */
function ipv6Bytes(ip: string): Buffer {
  const [head = '', tail] = ip.split('::')
  const groups = (part: string): number[] =>
    part === '' ? [] : part.split(':').map((g) => parseInt(g, 16))
  const left = groups(head)
  const right = tail === undefined ? [] : groups(tail)
  const all = [...left, ...Array<number>(8 - left.length - right.length).fill(0), ...right]
  const out = Buffer.alloc(16)
  all.forEach((g, i) => out.writeUInt16BE(g, i * 2))
  return out
}

async function issueServer(
  x509: X509,
  caCertPem: string,
  caKeyDer: Buffer,
  hosts: NormalizedHosts,
  now: Date,
): Promise<Issued> {
  const ca = new x509.X509Certificate(caCertPem)
  const caKey = await webcrypto.subtle.importKey('pkcs8', caKeyDer, EC_KEY, false, ['sign'])
  const keys = await webcrypto.subtle.generateKey(EC_KEY, true, ['sign', 'verify'])

  // A leaf outliving its issuer would fail validation anyway; capping keeps notAfter honest.
  const wanted = now.getTime() + SERVER_DAYS * DAY_MS
  const notAfter = new Date(Math.min(wanted, ca.notAfter.getTime()))

  // Copy the CA's own SKI so chain builders match on the exact identifier the CA advertises.
  const caSki = ca.getExtension(x509.SubjectKeyIdentifierExtension)
  const aki = caSki
    ? new x509.AuthorityKeyIdentifierExtension(caSki.keyId)
    : await x509.AuthorityKeyIdentifierExtension.create(ca)

  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: randomSerial(),
    subject: [{ CN: [commonNameFor(hosts.ordered)] }],
    // Reuse the parsed Name rather than a string so the issuer DN is byte-identical to the CA's subject.
    issuer: ca.subjectName,
    notBefore: new Date(now.getTime() - BACKDATE_MS),
    notAfter,
    signingAlgorithm: SIGNING_ALG,
    publicKey: keys.publicKey,
    signingKey: caKey,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
      new x509.SubjectAlternativeNameExtension(
        hosts.sorted.map((value) => ({
          type: isIP(value) ? ('ip' as const) : ('dns' as const),
          value,
        })),
      ),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
      aki,
    ],
  })
  const keyDer = Buffer.from(await webcrypto.subtle.exportKey('pkcs8', keys.privateKey))
  return { certPem: pemFile(cert.toString('pem')), keyDer }
}

// TLS clients ignore CN when SANs are present, but people reading the cert (or hub logs) look at
// it, so prefer the name clients actually dial over loopback names.
function commonNameFor(ordered: string[]): string {
  const candidates = ordered.filter((h) => !LOOPBACK_HOSTS.has(h) && h.length <= MAX_CN_LENGTH)
  return candidates.find((h) => isIP(h) === 0) ?? candidates[0] ?? 'localhost'
}

// x509 omits the final newline; PEM files conventionally end with one, and the CA PEM is
// handed to the hub as a file.
function pemFile(pem: string): string {
  return pem.endsWith('\n') ? pem : `${pem}\n`
}

function randomSerial(): string {
  const bytes = randomBytes(16)
  // Clear the sign bit (serials must be positive) and set the next one so DER encodes exactly
  // 16 octets: no 0x00 sign pad, and no leading zero byte to strip.
  bytes.writeUInt8((bytes.readUInt8(0) & 0x7f) | 0x40, 0)
  return bytes.toString('hex')
}

// NaN-safe: an unparseable date counts as unusable, which leads to re-issuing rather than
// serving a cert whose lifetime we can't vouch for.
function isUsable(cert: X509Certificate, now: Date): boolean {
  const { notBefore, notAfter } = validity(cert)
  return (
    notBefore.getTime() <= now.getTime() && notAfter.getTime() - now.getTime() >= RENEW_BEFORE_MS
  )
}

function validity(cert: X509Certificate): { notBefore: Date; notAfter: Date } {
  // validFromDate/validToDate only exist from Node 22.10 (Electron has them); plain Node 20
  // only offers OpenSSL's text form, which V8's Date parser accepts.
  const c = cert as X509Certificate & { validFromDate?: Date; validToDate?: Date }
  return {
    notBefore: c.validFromDate ?? new Date(c.validFrom),
    notAfter: c.validToDate ?? new Date(c.validTo),
  }
}

interface NormalizedHosts {
  ordered: string[] // caller's order, deduplicated: drives the CN choice
  sorted: string[] // canonical set: what is stored and compared
}

function normalizeHosts(hosts: string[]): NormalizedHosts {
  const ordered: string[] = []
  for (const h of hosts) {
    const n = normalizeHost(h)
    if (n !== undefined && !ordered.includes(n)) ordered.push(n)
  }
  return { ordered, sorted: [...ordered].sort() }
}

// Canonical spelling makes the stored set stable (so equivalent inputs don't trigger a re-issue)
// and yields forms the SAN encoder accepts.
function normalizeHost(input: string): string | undefined {
  let host = input.trim()
  if (host.startsWith('[') && host.endsWith(']')) host = host.slice(1, -1)
  if (host === '') return undefined
  const kind = isIP(host)
  if (kind === 4) return host
  if (kind === 6) {
    // WHATWG URL compresses IPv6 and rewrites embedded IPv4, which the SAN encoder can't parse;
    // it rejects zone ids, which have no meaning in a certificate.
    try {
      return new URL(`http://[${host}]/`).hostname.slice(1, -1)
    } catch {
      throw new Error(`Invalid IPv6 address for TLS certificate: ${input}`)
    }
  }
  // dNSName is IA5String: internationalised names must go in as punycode (also lowercases).
  const ascii = domainToASCII(host)
  if (ascii === '') throw new Error(`Invalid host name for TLS certificate: ${input}`)
  return ascii
}

function sameList(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i])
}

let x509Loading: Promise<X509> | undefined

function loadX509(): Promise<X509> {
  x509Loading ??= (async () => {
    // @peculiar/x509 2.x (through tsyringe) needs the Reflect metadata polyfill loaded first.
    await import('reflect-metadata')
    const x509 = await import('@peculiar/x509')
    // Node's WebCrypto, so no browser polyfill is needed and keys stay in OpenSSL.
    x509.cryptoProvider.set(webcrypto as unknown as ReturnType<X509['cryptoProvider']['get']>)
    return x509
  })().catch((err: unknown) => {
    x509Loading = undefined // allow a retry instead of caching the failure forever
    throw err
  })
  return x509Loading
}
