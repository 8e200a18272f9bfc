import 'reflect-metadata'
import { spawn, type ChildProcess } from 'node:child_process'
import { webcrypto } from 'node:crypto'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import * as x509 from '@peculiar/x509'
import { REPO_ROOT, httpRequest, type ReadyLine } from '../helpers/cli.js'

/**
 * The hub simulator as the e2e specs meet it: a process (its main.mjs) trusting the serve's
 * issuer, reached like a hub over HTTPS with its own CA, its test hooks over the same origin.
 */

const SIM_MAIN = join(REPO_ROOT, 'test', 'fixtures', 'hub-simulator', 'main.mjs')

export interface SimProcess {
  url: string
  hubId: string
  caPem: string
  /** The simulator's CA as a PEM file: what the hub profile's CA file holds. */
  caFile: string
  /** POSTs to a test hook (`/_sim/…`); resolves with its JSON answer. */
  hook<T = unknown>(path: string, body: object): Promise<T>
  /** GETs a test hook, e.g. `/_sim/request-log` → `{total, inFlight, maxInFlight}`. */
  read<T = unknown>(path: string): Promise<T>
  stop(): Promise<void>
}

/** Starts main.mjs trusting the serve's issuer; resolves once it printed its JSON line. */
export async function startSimulatorProcess(
  ready: ReadyLine,
  dir: string,
  tickMs: number,
): Promise<SimProcess> {
  if (!ready.caCertFile) throw new Error('serve printed no caCertFile: the issuer must be HTTPS')
  const caFile = join(dir, 'hub-ca.pem')
  const child: ChildProcess = spawn(
    process.execPath,
    [
      SIM_MAIN,
      ...['--authority', ready.issuer, '--ca', ready.caCertFile, '--ca-out', caFile],
      ...['--tick-ms', String(tickMs)],
    ],
    { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] },
  )
  let stderr = ''
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk))
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  const first = await new Promise<{ url: string; hubId: string; caPem: string }>(
    (resolve, reject) => {
      let out = ''
      const timer = setTimeout(() => reject(new Error(`simulator not ready:\n${stderr}`)), 15_000)
      child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
        out += chunk
        const newline = out.indexOf('\n')
        if (newline < 0) return
        clearTimeout(timer)
        resolve(JSON.parse(out.slice(0, newline)) as { url: string; hubId: string; caPem: string })
      })
      child.once('exit', (code) => reject(new Error(`simulator exited (${code}):\n${stderr}`)))
    },
  )
  return {
    ...first,
    caFile,
    async hook<T>(path: string, body: object): Promise<T> {
      const res = await httpRequest(`${first.url}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
        ca: first.caPem,
      })
      if (res.status !== 200) throw new Error(`${path} → ${res.status}: ${res.text}`)
      return res.json<T>()
    },
    async read<T>(path: string): Promise<T> {
      const res = await httpRequest(`${first.url}${path}`, { ca: first.caPem })
      if (res.status !== 200) throw new Error(`${path} → ${res.status}: ${res.text}`)
      return res.json<T>()
    },
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return
      child.kill('SIGTERM')
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000)
      await exited
      clearTimeout(timer)
    },
  }
}

/**
 * A manufacturer's attestation chain as DPS wants it in an enrollment group: an intermediate CA,
 * then the root that signed it (each certificate signed by the next), ECDSA P-256.
 */
export async function writeCertificateChain(file: string): Promise<string> {
  x509.cryptoProvider.set(webcrypto as unknown as Crypto)
  const alg = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' }
  const notBefore = new Date(Date.now() - 60_000)
  const notAfter = new Date(Date.now() + 365 * 86_400_000)
  const caExtensions = [
    new x509.BasicConstraintsExtension(true, undefined, true),
    new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
  ]
  const rootKeys = await webcrypto.subtle.generateKey(alg, true, ['sign', 'verify'])
  const root = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: '01',
    name: 'CN=e2e manufacturer root',
    notBefore,
    notAfter,
    keys: rootKeys as CryptoKeyPair,
    signingAlgorithm: alg,
    extensions: caExtensions,
  })
  const intermediateKeys = await webcrypto.subtle.generateKey(alg, true, ['sign', 'verify'])
  const intermediate = await x509.X509CertificateGenerator.create({
    serialNumber: '02',
    subject: 'CN=e2e manufacturer line 1',
    issuer: root.subject,
    notBefore,
    notAfter,
    signingKey: (rootKeys as CryptoKeyPair).privateKey,
    publicKey: (intermediateKeys as CryptoKeyPair).publicKey,
    signingAlgorithm: alg,
    extensions: caExtensions,
  })
  const pem = `${intermediate.toString('pem')}\n${root.toString('pem')}\n`
  writeFileSync(file, pem)
  return pem
}
