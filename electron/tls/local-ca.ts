import { createPrivateKey, X509Certificate } from 'node:crypto'
import { createCa, issueServer, loadX509, type Issued } from './cert-issuance.js'
import { normalizeHosts } from './server-hosts.js'

/**
 * The console's TLS material as stored: reused while valid, the server certificate re-issued
 * when its names or lifetime call for it, the CA replaced when due (minting: cert-issuance.ts).
 */

// Re-exported so this stays the one entry point: issuer-runtime.ts and bench/lib.mjs load it.
export { nameConstraintsDer } from './name-constraints.js'
export { serverHostsFor } from './server-hosts.js'

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

function sameList(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i])
}
