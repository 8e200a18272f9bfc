/**
 * Every contract method by name, free of zod so the sandboxed preload can carry it. A type test
 * in contract.ts keeps it equal to the contract's keys.
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
