import type { ProvisioningStep } from '../../shared/contract/index.js'

/**
 * A failed provisioning step, as DPS records it (`status.errorMessage`), translated into its
 * likely cause and the fix. The first rule whose pattern matches wins: the specific ones
 * (owner, device id, a refused secret) come before the generic TLS and network ones.
 */
export interface FailureContext {
  deviceId: string
  step: ProvisioningStep
  /** The enrollment group's owner (the provisioning record's `owner`), when known. */
  groupOwner: string | null
  clientId: string | null
  issuer: string
  hub: string
}

interface Rule {
  test: RegExp | ((message: string, ctx: FailureContext) => boolean)
  explain(ctx: FailureContext, message: string): string
}

const setup = (ctx: FailureContext): string =>
  `\`dps setup --hub ${ctx.hub}${ctx.clientId ? ` --client ${ctx.clientId}` : ''} …\``

const RULES: Rule[] = [
  {
    test: /owner/i,
    explain: (ctx, message) => {
      const wanted = ctx.groupOwner ?? "the enrollment group's owner"
      const fix = `Use a DPS client whose owner is ${wanted} (or let the client mint for ${wanted} with an allowed owner), then re-run ${setup(ctx)}.`
      // DPS decodes the token and compares: `… carries <claim>="X" …` names what it got.
      const carried = /carries\s+[^=\s]+=("?)([^",\s]+)\1/.exec(message)?.[2]
      if (carried) {
        return `the DPS client's tokens carry owner ${carried} but the enrollment group's owner is ${wanted}: DPS refuses a token of another owner. ${fix}`
      }
      if (/not allowed|invalid_request|cannot fetch token/i.test(message)) {
        return `the DPS hub record's client cannot get a token for owner ${wanted}, the enrollment group's owner: this issuer mints only for the client's own (and allowed) owners. ${fix}`
      }
      return `the DPS client's tokens carry another owner than the enrollment group's (${wanted}): DPS refuses them. ${fix}`
    },
  },
  {
    test: /device.?id/i,
    explain: (ctx) =>
      `the DPS client's token does not carry device id ${ctx.deviceId} in the hub's device-id claim: allow device ids on the client (\`clients add --allow-device-id\`) and make the issuer's device-id claim the hub's (\`settings set --device-id-claim\`), or re-run ${setup(ctx)} so the DPS hub record asks for no device id.`,
  },
  {
    test: /\b401\b|unauthori[sz]ed|invalid_client|cannot fetch token|client authentication/i,
    explain: (ctx) =>
      `DPS cannot authenticate at this issuer (${ctx.issuer}): the secret DPS holds for the DPS client is not current (rotated, and past its grace period?). Re-run ${setup(ctx)}: it gives DPS a fresh secret.`,
  },
  {
    test: (m) =>
      /certificate.?authority|SignIdentityCertificate|sign (the )?(identity )?certificate/i.test(
        m,
      ) && /unauthenticated|code\s*=?\s*16|invalid token|unknown issuer|untrusted/i.test(m),
    explain: (ctx) =>
      `the hub's certificate-authority does not trust this issuer, so it refuses the DPS token when signing the device certificate: add ${ctx.issuer} with the console's CA to certificate-authority's authorization.endpoints (the YAML is in \`dps checklist --hub ${ctx.hub}\`).`,
  },
  {
    test: (m) =>
      /coap-gateway/i.test(m) &&
      /unauthenticated|code\s*=?\s*16|invalid token|unknown issuer/i.test(m),
    explain: (ctx) =>
      `coap-gateway does not trust this issuer, so the device's sign-up with the DPS token fails: add ${ctx.issuer} with the console's CA to coap-gateway's authorization.endpoints, and the provider DPS tokens name (the YAML is in \`dps checklist --hub ${ctx.hub}\`).`,
  },
  {
    test: (m, ctx) =>
      /x509|certificate signed by unknown authority|tls|certificate verify/i.test(m) &&
      (m.includes(hostPort(ctx.issuer)) || /token|openid|issuer|oauth/i.test(m)),
    explain: (ctx) =>
      `DPS does not trust the console's CA when it calls ${ctx.issuer}: the DPS hub record's authorization.provider.http.tls.caPool must hold it. Re-run ${setup(ctx)}: it writes the CA there.`,
  },
  {
    test: /x509|unknown authority|tls/i,
    explain: (ctx) =>
      `DPS does not trust the TLS certificate of the hub's certificate-authority: the DPS hub record's certificateAuthority.grpc.tls.caPool must hold the hub's CA bundle. Check \`hubs show ${ctx.hub}\` (hubCaPem) and re-run ${setup(ctx)}.`,
  },
  {
    test: (m, ctx) =>
      /connection refused|no such host|dial tcp|i\/o timeout|unreachable|deadline exceeded/i.test(
        m,
      ) &&
      (m.includes(hostPort(ctx.issuer)) || /token|openid|oauth/i.test(m)),
    explain: (ctx) =>
      `DPS cannot reach this issuer at ${ctx.issuer}: serve the issuer on an address DPS can reach (\`settings set --public-host HOST\`, then \`serve\`) and re-run ${setup(ctx)}.`,
  },
]

function hostPort(url: string): string {
  try {
    return new URL(url).host
  } catch {
    return url
  }
}

/** The cause and fix of a failed step; DPS's own words are kept at the end. */
export function explainStepFailure(ctx: FailureContext, message: string): string {
  for (const rule of RULES) {
    const hit = typeof rule.test === 'function' ? rule.test(message, ctx) : rule.test.test(message)
    if (hit) return `${ctx.step} failed: ${rule.explain(ctx, message)} (DPS: ${message})`
  }
  return `${ctx.step} failed at DPS: ${message}`
}

/** A device still pending when the watch gives up. */
export function explainTimeout(
  ctx: Pick<FailureContext, 'deviceId' | 'hub'> & { seconds: number; seen: boolean; owner: string },
): string {
  if (ctx.seen) {
    return `device ${ctx.deviceId} did not finish provisioning within ${ctx.seconds} s: it started, so check that it is online and keeps its connection to DPS, then watch again`
  }
  return `no provisioning record for device ${ctx.deviceId} within ${ctx.seconds} s: check that the device's DPS endpoint (resource /plgd/dps) is the hub's DPS device address (\`hubs show ${ctx.hub}\`), that its manufacturer certificate chains to the enrollment group's, and that the group's owner is ${ctx.owner} (records are read as that owner)`
}
