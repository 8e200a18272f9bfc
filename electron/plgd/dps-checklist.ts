import { stringify } from 'yaml'
import type { ChecklistItem, ClientView, HubView } from '../../shared/contract/index.js'
import { isLoopbackUrl } from './dps-warnings.js'
import { authorizationEndpoint, authorizationEndpointSnippet } from './hub-trust-snippet.js'

/** The client coap-gateway exchanges DPS tokens with (it mints for many owners). */
export const COAP_GATEWAY_CLIENT = 'coap-gateway'

export interface ChecklistInput {
  profile: HubView
  issuer: { url: string; caPem: string | null; ownerClaim: string; deviceIdClaim: string }
  /** The DPS client, when one was named; undefined when named but unknown. */
  client: ClientView | undefined
  clientId: string | undefined
  providerName: string
}

const yaml = (value: unknown): string => stringify(value, { lineWidth: 0 })

/** coap-gateway's provider for DPS tokens (interop §3.1, §3.6 item 4). */
export function coapGatewayProviderSnippet(input: {
  ownerClaim: string
  deviceIdClaim: string
  providerName: string
  issuer: string
  /** The console CA, carried inline as in the `authorization.endpoints` entry; null before TLS. */
  issuerCaPem: string | null
}): string {
  const { http } = authorizationEndpoint({ authority: input.issuer, caPem: input.issuerCaPem })
  return yaml({
    apis: {
      coap: {
        authorization: {
          ownerClaim: input.ownerClaim,
          ...(input.deviceIdClaim ? { deviceIDClaim: input.deviceIdClaim } : {}),
          providers: [
            {
              name: input.providerName,
              authority: input.issuer,
              clientID: COAP_GATEWAY_CLIENT,
              clientSecretFile: `/secrets/${COAP_GATEWAY_CLIENT}.secret`,
              grantType: 'clientCredentials',
              http,
            },
          ],
        },
      },
    },
  })
}

/**
 * The operator checklist of interop §3.6: what this console can see is marked done or not;
 * what it cannot see is `null`, with its actor: the hub admin's steps come with the YAML to add.
 * DPS's records stay `null`: reading them means minting an audited DPS-client bearer and
 * calling DPS on every checklist load, and the group's name is not known here.
 */
export function dpsChecklist(input: ChecklistInput): ChecklistItem[] {
  const { profile, issuer, client, clientId, providerName } = input
  const reachable = issuer.url.startsWith('https://') && !isLoopbackUrl(issuer.url)
  const localHub = isLoopbackUrl(profile.url)
  const wantsDeviceId = profile.deviceIdClaim !== ''
  const clientOk =
    client !== undefined &&
    client.auth.method === 'client_secret' &&
    !client.disabled &&
    client.owner !== '' &&
    (!wantsDeviceId || client.allowDeviceId)
  const caNote = issuer.caPem
    ? "The entries below carry the console's CA inline (a data: URI in caPool); a file path to ca.pem from the console's data directory works as well."
    : 'The issuer has no CA of its own: use the CA that signed its certificate.'
  return [
    {
      id: 'issuer-https',
      actor: 'operator',
      title: "The issuer is served over HTTPS at an address DPS and the hub's pods reach",
      done: reachable ? true : localHub && issuer.url.startsWith('https://') ? true : false,
      detail: reachable
        ? `Authority ${issuer.url}.`
        : `Authority ${issuer.url}${localHub ? ' (fine for a hub on this machine)' : ': set the address hubs use with `settings set --public-host HOST` and serve the issuer'}.`,
    },
    {
      id: 'dps-client',
      actor: 'operator',
      title: 'A DPS client at this issuer whose owner is the enrollment group owner',
      done: clientId === undefined ? false : clientOk,
      detail:
        clientId === undefined
          ? 'Name the DPS client (`--client ID`); `dps setup` creates it if it does not exist.'
          : client === undefined
            ? `Client ${clientId} does not exist yet: \`dps setup --client ${clientId}\` creates it.`
            : `Client ${client.id}: owner ${client.owner || '(none)'}, ${client.auth.method.replace(/_/g, ' ')}, device id ${client.allowDeviceId ? 'allowed' : 'not allowed'}${wantsDeviceId && !client.allowDeviceId ? ` (the hub has a device-id claim ${profile.deviceIdClaim})` : ''}.`,
    },
    {
      id: 'claims',
      actor: 'operator',
      title: "The issuer's owner and device-id claims are the hub's",
      done:
        issuer.ownerClaim === profile.ownerClaim &&
        (!wantsDeviceId || issuer.deviceIdClaim === profile.deviceIdClaim),
      detail: `Hub: owner ${profile.ownerClaim}, device id ${profile.deviceIdClaim || '(none)'}. Issuer: owner ${issuer.ownerClaim}, device id ${issuer.deviceIdClaim} (\`settings set --owner-claim … --device-id-claim …\`).`,
    },
    {
      id: 'authorization-endpoints',
      actor: 'hub-admin',
      title:
        'certificate-authority, coap-gateway, identity-store and resource-aggregate trust this issuer',
      done: null,
      detail: `The hub admin adds this entry to authorization.endpoints of each (in the Helm chart: global.authorization.endpoints, and the CA in global.extraCAPool.authorization). ${caNote}`,
      snippet: authorizationEndpointSnippet({ authority: issuer.url, caPem: issuer.caPem }),
    },
    {
      id: 'coap-gateway-provider',
      actor: 'hub-admin',
      title: `coap-gateway has a provider named ${providerName} for DPS tokens`,
      done: profile.ownerClaim === 'sub' ? false : null,
      detail: `The provider's name must equal the DPS hub record's provider name, with grantType clientCredentials; coap-gateway refuses ownerClaim \`sub\`${profile.ownerClaim === 'sub' ? ' (this hub uses `sub`: change it)' : ''}. Register its client here with \`clients add --id ${COAP_GATEWAY_CLIENT} --owner OWNER --allowed-owner … --allow-device-id\` (if it exists already: \`clients update ${COAP_GATEWAY_CLIENT} --allowed-owner … --allow-device-id\`) and put its secret in the file named below.`,
      snippet: coapGatewayProviderSnippet({
        ownerClaim: profile.ownerClaim,
        deviceIdClaim: profile.deviceIdClaim,
        providerName,
        issuer: issuer.url,
        issuerCaPem: issuer.caPem,
      }),
    },
    {
      id: 'dps-records',
      actor: 'operator',
      title: 'The DPS hub record and the enrollment group exist',
      done: null,
      detail: `\`dps setup --hub ${profile.name} --client ${clientId ?? 'ID'} --group NAME --certificate-chain FILE --dry-run\` shows what DPS holds and what would change.`,
    },
    {
      id: 'device-endpoint',
      actor: 'operator',
      title: 'Devices point at DPS',
      done: profile.dpsDeviceEndpoint ? null : false,
      detail: profile.dpsDeviceEndpoint
        ? `Each device's /plgd/dps resource (x.plgd.dps.conf) gets this endpoint, e.g. for an owned device: \`devices update --hub ${profile.name} --device ID --href /plgd/dps --json-file dps.json\` with this JSON.`
        : `Hub ${profile.name} has no DPS device address: set it with \`hubs update ${profile.name} --dps-endpoint coaps+tcp://HOST:15684\`.`,
      ...(profile.dpsDeviceEndpoint
        ? { snippet: `${JSON.stringify({ endpoint: profile.dpsDeviceEndpoint })}\n` }
        : {}),
    },
    {
      id: 'watch',
      actor: 'operator',
      title: 'Watch the devices provision',
      done: null,
      detail: `\`dps watch --hub ${profile.name} --client ${clientId ?? 'ID'} --devices-file devices.csv\` reports each step and, for a failed one, its cause and fix.`,
    },
  ]
}
