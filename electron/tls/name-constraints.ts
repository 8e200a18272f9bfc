import { isIP } from 'node:net'

export const NAME_CONSTRAINTS_OID = '2.5.29.30'

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
