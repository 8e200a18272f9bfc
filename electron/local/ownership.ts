import type { JobHandler } from '../jobs/job-handler.js'
import { PlgdError } from '../plgd/plgd-error.js'
import type { ClientAppHandle } from './client-apps.js'
import type { CsrSigner } from './csr-signing.js'
import {
  deviceJobHandler,
  devicePath,
  done,
  failed,
  readDevice,
  type LocalDevicesJobInput,
} from './device-job.js'

/** client-application's refusal to own a device it owns already (plgd's words, or ours). */
function ownedByUs(err: unknown): boolean {
  const said = err instanceof PlgdError ? (err.plgdMessage ?? '').toLowerCase() : ''
  return /already owned/.test(said) && /(by this client application|by you|by us)/.test(said)
}

interface OwnAnswer {
  identityCertificateChallenge?: { certificateSigningRequest?: string; state?: string }
}

/** The signer of a device's identity CSR (X509 + USER_AGENT): the hub the app was initialised with. */
export type OwnSignerFor = (handle: ClientAppHandle, signal: AbortSignal) => Promise<CsrSigner>

/**
 * `local.own`: JustWorks or the manufacturer certificate, as client-application chooses. In
 * X509 with remote provisioning it answers with the device's CSR: the hub's certificate-authority
 * signs it and `/own/{state}` finishes. A device this client-application already owns is done;
 * one owned by someone else fails, naming its owner's part.
 */
export function ownHandler(
  apps: { open(url?: string): ClientAppHandle },
  signerFor: OwnSignerFor,
): JobHandler<LocalDevicesJobInput> {
  return deviceJobHandler({
    kind: 'local.own',
    verb: 'own',
    action: 'owning',
    apps,
    act: async ({ handle, deviceId, device, signal }) => {
      if (device.ownershipStatus === 'UNSUPPORTED') {
        return failed(
          `device ${deviceId} is not secured (built without security): it cannot be owned; onboard it directly (\`local onboard\`)`,
          device,
        )
      }
      let answer: OwnAnswer | undefined
      try {
        answer = await handle.client.json<OwnAnswer | undefined>(
          'POST',
          `${devicePath(deviceId)}/own`,
          { body: {}, signal },
        )
      } catch (err) {
        // OWNED says only that someone owns it: client-application tells whether it is us.
        if (device.ownershipStatus === 'OWNED' && ownedByUs(err)) {
          return done(device, 'OWNED', 'already owned through this client-application')
        }
        throw err
      }
      const challenge = answer?.identityCertificateChallenge
      if (challenge?.state) {
        const sign = await signerFor(handle, signal)
        const certificate = await sign(challenge.certificateSigningRequest ?? '', signal)
        await handle.client.json(
          'POST',
          `${devicePath(deviceId)}/own/${encodeURIComponent(challenge.state)}`,
          { body: { certificate }, signal },
        )
      }
      const after = await readDevice(handle.client, deviceId, signal)
      if (after.ownershipStatus !== 'OWNED') {
        return failed(
          `client-application accepted owning device ${deviceId}, but it now reports it ${after.ownershipStatus}: it may be owned by someone else; check with \`local discover --owned\``,
          after,
        )
      }
      return done(after, 'OWNED')
    },
  })
}

/** `local.disown`: gives the device back (UNOWNED); one that is not owned is a failure. */
export function disownHandler(apps: {
  open(url?: string): ClientAppHandle
}): JobHandler<LocalDevicesJobInput> {
  return deviceJobHandler({
    kind: 'local.disown',
    verb: 'disown',
    action: 'disowning',
    apps,
    act: async ({ handle, deviceId, device, signal }) => {
      if (device.ownershipStatus === 'UNOWNED') {
        return failed(`device ${deviceId} is not owned: there is nothing to disown`, device)
      }
      if (device.ownershipStatus === 'UNSUPPORTED') {
        return failed(`device ${deviceId} is not secured: it has no owner to remove`, device)
      }
      await handle.client.json('POST', `${devicePath(deviceId)}/disown`, { body: {}, signal })
      return done(device, 'UNOWNED')
    },
  })
}
