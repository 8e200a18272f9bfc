// Generated from shared/contract/ by `npm run docs:contract`; do not edit by hand.

/**
 * Every contract method by name, free of zod so the sandboxed preload can carry it. A type
 * check in shared/contract/index.ts and a unit test keep it equal to the contract.
 */
export const METHOD_NAMES = [
  'clients.add',
  'clients.list',
  'clients.get',
  'clients.rotateSecret',
  'clients.setDisabled',
  'clients.remove',
  'tokens.issue',
  'tokens.list',
  'tokens.revoke',
  'tokens.inspect',
  'keys.list',
  'keys.rotate',
  'keys.import',
  'keys.exportPublic',
  'status.get',
  'setup.complete',
  'settings.update',
  'clock.skew',
  'audit.list',
  'audit.verify',
  'audit.export',
] as const
