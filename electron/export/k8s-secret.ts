/**
 * A Kubernetes Secret manifest (v1, Opaque) with base64 `data`, named to DNS-1123 rules
 * (lower-case alphanumerics, `-` and `.`, alphanumeric at both ends, at most 253 characters).
 */
export function k8sSecret(
  name: string,
  data: Record<string, string>,
  labels: Record<string, string> = {},
) {
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    type: 'Opaque',
    metadata: { name: dns1123Name(name), ...(Object.keys(labels).length ? { labels } : {}) },
    data: Object.fromEntries(
      Object.entries(data).map(([k, v]) => [k, Buffer.from(v, 'utf8').toString('base64')]),
    ),
  }
}

/** `plgd-m2m-My_Client` → `plgd-m2m-my-client`: client ids may use `_`, `~` and capitals. */
export function dns1123Name(text: string): string {
  const name = text
    .toLowerCase()
    .replace(/[^a-z0-9.-]+/g, '-')
    .replace(/-{2,}/g, '-')
    .slice(0, 253)
    .replace(/^[^a-z0-9]+|[^a-z0-9]+$/g, '')
  if (name === '') throw new TypeError(`no DNS-1123 name can be made from ${JSON.stringify(text)}`)
  return name
}
