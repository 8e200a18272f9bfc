import { z } from 'zod'
import { emptyInput } from './common.js'

export interface AuditEntry {
  seq: number
  at: number
  actor: string
  action: string
  subject: string
  details: Record<string, unknown>
  hash: string
}
export const listAuditInput = z.object({
  offset: z.number().int().min(0).default(0),
  limit: z.number().int().min(1).max(500).default(100),
  /** Entries whose action starts with this (`token.` for every token action). */
  action: z.string().max(128).optional(),
  /** Entries by this actor (exact). */
  actor: z.string().max(256).optional(),
  /** Entries whose subject contains this. */
  subject: z.string().max(256).optional(),
  /** Free text matched against action, actor, subject and details. */
  search: z.string().max(256).optional(),
})
export type AuditFilters = Pick<
  z.output<typeof listAuditInput>,
  'action' | 'actor' | 'subject' | 'search'
>
export interface AuditPage {
  items: AuditEntry[]
  total: number
}
export interface AuditVerification {
  ok: boolean
  entries: number
  /** The first entry whose hash does not follow from its predecessor. */
  brokenAt?: number
}

export const auditMethods = {
  'audit.list': { input: listAuditInput, output: {} as AuditPage },
  'audit.verify': { input: emptyInput, output: {} as AuditVerification },
  /** The whole log as JSON Lines, each entry with its prevHash and hash. */
  'audit.export': { input: emptyInput, output: {} as { jsonl: string; entries: number } },
} as const
