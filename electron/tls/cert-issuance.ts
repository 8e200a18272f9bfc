import { randomBytes, webcrypto } from 'node:crypto'
import { isIP } from 'node:net'
import { NAME_CONSTRAINTS_OID, nameConstraintsDer } from './name-constraints.js'
import type { NormalizedHosts } from './server-hosts.js'

/** Minting: the local CA (name-constrained) and the server certificates it signs. */

// Type-only: the runtime library is loaded on demand (see loadX509) so that CLI start-up and
// the common "reuse what is stored" path never pay for parsing it.
export type X509 = typeof import('@peculiar/x509')

/** A certificate as minted: its PEM file and the PKCS#8 DER of its new private key. */
export interface Issued {
  certPem: string
  keyDer: Buffer
}

const DAY_MS = 24 * 60 * 60 * 1000
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

export async function createCa(
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

/** A Buffer's own bytes as an ArrayBuffer (a small Buffer may sit in Node's shared pool). */
function arrayBufferOf(buf: Buffer): ArrayBuffer {
  return buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength) as ArrayBuffer
}

export async function issueServer(
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

let x509Loading: Promise<X509> | undefined

export function loadX509(): Promise<X509> {
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
