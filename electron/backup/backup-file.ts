import {
  createCipheriv,
  createDecipheriv,
  createHash,
  hkdfSync,
  randomBytes,
  scrypt as scryptCb,
  timingSafeEqual,
} from 'node:crypto'
import { promisify } from 'node:util'
import { gunzipSync, gzipSync } from 'node:zlib'
import { AppError } from '../../shared/errors.js'

/**
 * The encrypted backup file. Layout:
 *
 *   MAGIC | header length (uint32, big-endian) | header (JSON, UTF-8) | SHA-256 of the three
 *   before | body: AES-256-GCM ciphertext of the gzipped payload, then its 16-byte tag
 *
 * The header names the format version, the KDF (scrypt) with its cost and salt, the cipher with
 * its nonce, the body's length and a passphrase check. The header (with the magic and length) is
 * the AEAD's additional data, so no byte of it can change without the body failing to open. The
 * SHA-256 after it is no defence (anyone can recompute it): it only lets a damaged header be told
 * apart from a wrong passphrase before the expensive KDF runs. The passphrase check (an HKDF
 * output of the scrypt key, the way a vault check works) tells a wrong passphrase apart from a
 * body that was changed.
 */

export const MAGIC = Buffer.from('plgd-m2m-console backup\n', 'utf8')
/** The format this build writes, and the newest it reads. */
export const BACKUP_FORMAT_VERSION = 1

export interface ScryptCost {
  N: number
  r: number
  p: number
}
/** 128 MiB and about half a second per derivation here: each guess costs an attacker as much. */
export const DEFAULT_SCRYPT: ScryptCost = { N: 2 ** 17, r: 8, p: 1 }
/** What a file may ask for: a crafted header must not make the reader allocate gigabytes. */
const COST_BOUNDS = { N: [2 ** 10, 2 ** 20], r: [1, 16], p: [1, 4] } as const

const DIGEST_BYTES = 32
const TAG_BYTES = 16
const NONCE_BYTES = 12
const SALT_BYTES = 16
const MAX_HEADER_BYTES = 4096

export interface BackupHeader {
  format: 'plgd-m2m-console-backup'
  version: number
  kdf: { name: 'scrypt'; N: number; r: number; p: number; salt: string }
  cipher: { name: 'aes-256-gcm'; nonce: string }
  compression: 'gzip'
  /** Ciphertext plus tag: a shorter file was cut off. */
  bodyBytes: number
  /** HKDF(scrypt key, "passphrase check"): tells a wrong passphrase from a changed body. */
  passphraseCheck: string
}

const scrypt = promisify(scryptCb) as (
  password: string,
  salt: Buffer,
  keylen: number,
  options: { N: number; r: number; p: number; maxmem: number },
) => Promise<Buffer>

const LABELS = {
  encryption: 'plgd-m2m-console backup v1 encryption key',
  check: 'plgd-m2m-console backup v1 passphrase check',
}

async function deriveKeys(
  passphrase: string,
  salt: Buffer,
  cost: ScryptCost,
): Promise<{ encryption: Buffer; check: Buffer }> {
  const master = await scrypt(passphrase.normalize('NFC'), salt, 32, {
    ...cost,
    maxmem: 256 * cost.N * cost.r,
  })
  const sub = (info: string): Buffer => Buffer.from(hkdfSync('sha256', master, salt, info, 32))
  return { encryption: sub(LABELS.encryption), check: sub(LABELS.check) }
}

function damaged(what: string): AppError {
  return new AppError(
    'invalid_input',
    `the backup file is damaged or was altered (${what}): nothing was restored; use another copy of the backup`,
  )
}

/** Encrypts a payload (any bytes) into a backup file under the passphrase. */
export async function sealBackup(
  payload: Buffer,
  passphrase: string,
  cost: ScryptCost = DEFAULT_SCRYPT,
): Promise<Buffer> {
  const salt = randomBytes(SALT_BYTES)
  const nonce = randomBytes(NONCE_BYTES)
  const keys = await deriveKeys(passphrase, salt, cost)
  const compressed = gzipSync(payload)
  const header: BackupHeader = {
    format: 'plgd-m2m-console-backup',
    version: BACKUP_FORMAT_VERSION,
    kdf: { name: 'scrypt', ...cost, salt: salt.toString('base64url') },
    cipher: { name: 'aes-256-gcm', nonce: nonce.toString('base64url') },
    compression: 'gzip',
    bodyBytes: compressed.length + TAG_BYTES,
    passphraseCheck: keys.check.toString('base64url'),
  }
  const prefix = headerBytes(header)
  const cipher = createCipheriv('aes-256-gcm', keys.encryption, nonce, {
    authTagLength: TAG_BYTES,
  })
  cipher.setAAD(prefix)
  const body = Buffer.concat([cipher.update(compressed), cipher.final(), cipher.getAuthTag()])
  return Buffer.concat([prefix, sha256(prefix), body])
}

/** MAGIC, length and header: what the digest covers and the AEAD authenticates. */
export function headerBytes(header: BackupHeader): Buffer {
  const json = Buffer.from(JSON.stringify(header), 'utf8')
  const length = Buffer.alloc(4)
  length.writeUInt32BE(json.length)
  return Buffer.concat([MAGIC, length, json])
}

function sha256(data: Buffer): Buffer {
  return createHash('sha256').update(data).digest()
}

/**
 * Reads the header and checks what can be checked without the passphrase: the magic, the
 * length, the header digest, the version, the parameters. Throws an error naming the cause.
 */
export function readHeader(file: Buffer): { header: BackupHeader; prefix: Buffer; body: Buffer } {
  if (
    file.length < MAGIC.length &&
    file.length > 0 &&
    MAGIC.subarray(0, file.length).equals(file)
  ) {
    throw truncated(file.length, MAGIC.length)
  }
  if (file.length < MAGIC.length || !file.subarray(0, MAGIC.length).equals(MAGIC)) {
    throw new AppError(
      'invalid_input',
      'this is not a plgd-m2m-console backup file (it does not start with the backup marker): ' +
        'give the file that `backup create` wrote',
    )
  }
  const lengthAt = MAGIC.length
  if (file.length < lengthAt + 4) throw truncated(file.length, lengthAt + 4)
  const headerLength = file.readUInt32BE(lengthAt)
  if (headerLength === 0 || headerLength > MAX_HEADER_BYTES) throw damaged('header length')
  const prefixEnd = lengthAt + 4 + headerLength
  if (file.length < prefixEnd + DIGEST_BYTES) throw truncated(file.length, prefixEnd + DIGEST_BYTES)
  const prefix = file.subarray(0, prefixEnd)
  const digest = file.subarray(prefixEnd, prefixEnd + DIGEST_BYTES)
  if (!timingSafeEqual(digest, sha256(prefix)))
    throw damaged('its header does not match its digest')
  let header: BackupHeader
  try {
    header = JSON.parse(prefix.subarray(lengthAt + 4).toString('utf8')) as BackupHeader
  } catch {
    throw damaged('its header is not JSON')
  }
  if (header.format !== 'plgd-m2m-console-backup' || !Number.isSafeInteger(header.version)) {
    throw damaged('its header names no backup format')
  }
  if (header.version > BACKUP_FORMAT_VERSION) {
    throw new AppError(
      'invalid_input',
      `this backup was written in format version ${header.version} by a newer plgd-m2m-console; ` +
        `this one reads up to version ${BACKUP_FORMAT_VERSION}: install the newer version to restore it`,
    )
  }
  checkParameters(header)
  const bodyStart = prefixEnd + DIGEST_BYTES
  const expected = bodyStart + header.bodyBytes
  if (file.length < expected) throw truncated(file.length, expected)
  if (file.length > expected) throw damaged(`${file.length - expected} bytes after its end`)
  return { header, prefix, body: file.subarray(bodyStart) }
}

function truncated(actual: number, expected: number): AppError {
  return new AppError(
    'invalid_input',
    `the backup file is truncated (${actual} bytes, at least ${expected} expected): it was cut off ` +
      'while copying or downloading; copy it again from where `backup create` wrote it',
  )
}

function checkParameters(header: BackupHeader): void {
  const { kdf, cipher } = header
  const inBounds = (key: keyof typeof COST_BOUNDS): boolean => {
    const value = kdf?.[key]
    const [min, max] = COST_BOUNDS[key]
    return Number.isSafeInteger(value) && value >= min && value <= max
  }
  if (
    kdf?.name !== 'scrypt' ||
    !inBounds('N') ||
    !inBounds('r') ||
    !inBounds('p') ||
    (kdf.N & (kdf.N - 1)) !== 0 ||
    Buffer.from(String(kdf.salt), 'base64url').length !== SALT_BYTES
  ) {
    throw damaged('unknown or out-of-range key derivation parameters')
  }
  if (
    cipher?.name !== 'aes-256-gcm' ||
    Buffer.from(String(cipher.nonce), 'base64url').length !== NONCE_BYTES ||
    header.compression !== 'gzip' ||
    !Number.isSafeInteger(header.bodyBytes) ||
    header.bodyBytes <= TAG_BYTES ||
    typeof header.passphraseCheck !== 'string'
  ) {
    throw damaged('unknown cipher parameters')
  }
}

/** Decrypts a backup file; every failure names its cause (damage, passphrase, version). */
export async function openBackup(file: Buffer, passphrase: string): Promise<Buffer> {
  const { header, prefix, body } = readHeader(file)
  const salt = Buffer.from(header.kdf.salt, 'base64url')
  const keys = await deriveKeys(passphrase, salt, header.kdf)
  const check = Buffer.from(header.passphraseCheck, 'base64url')
  if (check.length !== keys.check.length || !timingSafeEqual(check, keys.check)) {
    throw new AppError(
      'invalid_input',
      'wrong backup passphrase: nothing was restored; give the passphrase the backup was created ' +
        'with (--passphrase-file or PLGD_M2M_BACKUP_PASSPHRASE)',
    )
  }
  let compressed: Buffer
  try {
    const decipher = createDecipheriv(
      'aes-256-gcm',
      keys.encryption,
      Buffer.from(header.cipher.nonce, 'base64url'),
      { authTagLength: TAG_BYTES },
    )
    decipher.setAAD(prefix)
    decipher.setAuthTag(body.subarray(body.length - TAG_BYTES))
    compressed = Buffer.concat([
      decipher.update(body.subarray(0, body.length - TAG_BYTES)),
      decipher.final(),
    ])
  } catch {
    throw damaged('its contents do not authenticate')
  }
  try {
    return gunzipSync(compressed)
  } catch {
    throw damaged('its contents do not decompress')
  }
}
