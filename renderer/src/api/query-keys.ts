/** Query key roots; a feature's keys start with its root so one invalidation covers them. */
export const queryKeys = {
  status: ['status'] as const,
  clients: ['clients'] as const,
  tokens: ['tokens'] as const,
  keys: ['keys'] as const,
  audit: ['audit'] as const,
  hubs: ['hubs'] as const,
  jobs: ['jobs'] as const,
  local: ['local'] as const,
}
