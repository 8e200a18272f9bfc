/**
 * A failed per-device call in words a technician can act on: the cause, then the fix. The
 * plgd client reports an HTTP answer with its status (and plgd's own message); anything else
 * (DNS, TCP, TLS, timeout) keeps the client's message, which already names the layer.
 */
export interface DeviceCallScope {
  hub: string
  deviceId: string
  /** The owner the console's bearer carries for this hub. */
  owner: string
  /** What was attempted, e.g. `applying configuration 3f…`. */
  action: string
}

export function httpStatusOf(err: unknown): number | undefined {
  const status = (err as { status?: unknown } | null)?.status
  return typeof status === 'number' ? status : undefined
}

export function explainDeviceFailure(err: unknown, scope: DeviceCallScope): string {
  // A PlgdError's `detail` is the failure without its generic fix: ours is more precise here.
  const own = (err as { detail?: unknown } | null)?.detail
  const detail = typeof own === 'string' ? own : err instanceof Error ? err.message : String(err)
  const { hub, deviceId, owner, action } = scope
  switch (httpStatusOf(err)) {
    case 404:
      return `${action}: hub ${hub} does not know device ${deviceId} (${detail}). Check the id with \`devices list --hub ${hub}\`, or onboard the device first (\`dps watch\`).`
    case 403:
      return `${action}: device ${deviceId} is not owned by ${owner}, the owner of hub ${hub}'s bearer (${detail}). Use a hub profile whose client mints for the device owner (\`hubs update\`).`
    case 401:
      return `${action}: hub ${hub} refused the console's token (${detail}). Run \`hubs check ${hub}\`: the hub must trust this issuer (its authorization.endpoints) and the clocks must agree.`
    case 409:
      return `${action}: device ${deviceId} already has it applied (${detail}). Apply with \`--force\` (Force in the console) to apply it again.`
    case 408:
    case 504:
      return `${action}: device ${deviceId} did not answer in time (${detail}). Check that it is online (\`devices list --hub ${hub} --status ONLINE\`) and try again.`
    case 503:
      return `${action}: hub ${hub} or device ${deviceId} is unavailable (${detail}). Check that the device is online and retry.`
    default:
      return `${action}: ${err instanceof Error ? err.message : detail}`
  }
}
