import type { ClientView, HubView } from '../../shared/contract/index.js'

const LOOPBACK = /^(localhost|127(?:\.\d+){3}|\[::1\])$/i

function hostOf(url: string): string {
  try {
    return new URL(url).hostname
  } catch {
    return ''
  }
}

export function isLoopbackUrl(url: string): boolean {
  return LOOPBACK.test(hostOf(url))
}

/**
 * What the setup accepts but will likely fail at a device: an issuer DPS cannot reach or
 * does not trust, a client that cannot give DPS the claims it asks for.
 */
export function setupWarnings(input: {
  profile: HubView
  issuer: { url: string; caPem: string | null; deviceIdClaim: string }
  client: ClientView | undefined
  owner: string
}): string[] {
  const { profile, issuer, client } = input
  const warnings: string[] = []
  // A hub on this machine (a simulator, a local kind cluster) can reach a loopback issuer.
  if (isLoopbackUrl(issuer.url) && !isLoopbackUrl(profile.url)) {
    warnings.push(
      `the issuer's URL ${issuer.url} is a loopback address: DPS on another machine cannot reach it. Set the address hubs use with \`settings set --public-host HOST\` and run the setup again`,
    )
  }
  if (issuer.url.startsWith('http://')) {
    warnings.push(
      `the issuer is served over plain HTTP (${issuer.url}): DPS and the hub expect HTTPS`,
    )
  }
  if (!profile.hubCaPem) {
    warnings.push(
      `hub ${profile.name} publishes no CA bundle (certificateAuthorities): DPS will trust its system pool for the certificate-authority`,
    )
  }
  if (profile.deviceIdClaim && issuer.deviceIdClaim !== profile.deviceIdClaim) {
    warnings.push(
      `the hub's device-id claim is ${profile.deviceIdClaim} but this issuer writes ${issuer.deviceIdClaim}: set it with \`settings set --device-id-claim ${profile.deviceIdClaim}\``,
    )
  }
  if (client && profile.deviceIdClaim && !client.allowDeviceId) {
    warnings.push(
      `client ${client.id} may not set the device-id claim, so the DPS hub record gets no deviceIdClaim and coap-gateway cannot check device ids`,
    )
  }
  return warnings
}
