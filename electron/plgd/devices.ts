import type { ParsedInput } from '../../shared/contract/index.js'
import { AppError } from '../../shared/errors.js'
import { explainDeviceFailure, httpStatusOf } from './device-failures.js'
import type { HubContext } from './hub-context.js'
import { hrefPath } from './snippet-paths.js'

/** One-device calls through http-gateway (interop §5), failures named with cause and fix. */

const devicePath = (deviceId: string): string => `/api/v1/devices/${encodeURIComponent(deviceId)}`

async function onDevice<T>(
  hub: HubContext,
  deviceId: string,
  action: string,
  call: () => Promise<T>,
): Promise<T> {
  try {
    return await call()
  } catch (err) {
    const status = httpStatusOf(err)
    // Failures below HTTP (DNS, TLS…) already name their layer and fix.
    if (status === undefined && err instanceof AppError) throw err
    const code = status === 404 ? 'not_found' : status === 403 ? 'policy_violation' : 'conflict'
    throw new AppError(
      code,
      explainDeviceFailure(err, { hub: hub.profile.name, deviceId, owner: hub.owner, action }),
      { cause: err },
    )
  }
}

/** PUT a resource with a plain JSON body; the answer's content, decoded by the hub. */
export async function updateResource(
  hub: HubContext,
  input: ParsedInput<'devices.update'>,
): Promise<{ content: unknown }> {
  const client = hub.client('gateway')
  const answer = await onDevice(hub, input.deviceId, `updating ${input.href}`, () =>
    client.json<{ data?: { content?: unknown; status?: string } } | undefined>(
      'PUT',
      `${devicePath(input.deviceId)}/resources${hrefPath(input.href)}`,
      { body: input.content },
    ),
  )
  return { content: answer?.data?.content ?? null }
}

export async function removeDevice(
  hub: HubContext,
  input: ParsedInput<'devices.remove'>,
): Promise<{ removed: true }> {
  const client = hub.client('gateway')
  const answer = await onDevice(hub, input.deviceId, 'removing the device', () =>
    client.json<{ deviceIds?: string[] } | undefined>('DELETE', devicePath(input.deviceId)),
  )
  if (answer?.deviceIds && !answer.deviceIds.includes(input.deviceId)) {
    throw new AppError(
      'not_found',
      `hub ${hub.profile.name} removed no device ${input.deviceId}: it is unknown there or owned by another owner than ${hub.owner} (\`devices list --hub ${hub.profile.name}\`)`,
    )
  }
  return { removed: true }
}

interface WireLink {
  href?: string
  resourceTypes?: string[]
}

/** The device's published links: a stream of ResourceLinksPublished, or of single links. */
export async function resourceLinks(
  hub: HubContext,
  input: ParsedInput<'devices.resourceLinks'>,
): Promise<{ href: string; resourceTypes: string[] }[]> {
  const client = hub.client('gateway')
  return onDevice(hub, input.deviceId, 'reading resource links', async () => {
    const links: { href: string; resourceTypes: string[] }[] = []
    for await (const item of client.stream<WireLink & { resources?: WireLink[] }>(
      `${devicePath(input.deviceId)}/resource-links`,
    )) {
      for (const link of item.resources ?? [item]) {
        if (link.href) links.push({ href: link.href, resourceTypes: link.resourceTypes ?? [] })
      }
    }
    return links.sort((a, b) => a.href.localeCompare(b.href))
  })
}
