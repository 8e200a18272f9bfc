import { z } from 'zod'
import { localInitInput, type LocalStatus } from '../../../../shared/contract/index'

const shape = localInitInput.shape

/** What initialisation needs in the mode client-application is configured for. */
export interface InitNeeds {
  x509: boolean
  /** X509 with remote provisioning by a user agent: the hub's CA signs the identity CSR. */
  hub: boolean
  /** Another owner holds it: only a forced init (a reset first) goes through. */
  otherOwner: boolean
}

export function initNeedsOf(status: LocalStatus): InitNeeds {
  const x509 = status.mode === 'X509'
  return {
    x509,
    hub: x509 && status.remoteProvisioning?.mode === 'USER_AGENT',
    otherOwner: status.problems.some((p) => p.problem === 'other_owner'),
  }
}

/**
 * The initialise form → `local.init` input (without the URL, which the page adds). Client and
 * hub are required where the mode needs them and dropped where it does not.
 */
export function buildInitFormSchema(needs: InitNeeds) {
  return z
    .object({
      owner: shape.owner,
      clientId: z.string().nullable(),
      hub: z.string().nullable(),
      force: z.boolean(),
    })
    .superRefine((v, ctx) => {
      if (needs.x509 && !v.clientId) {
        ctx.addIssue({
          code: 'custom',
          path: ['clientId'],
          message: 'X509 mode: choose the client whose tokens client-application will accept',
        })
      }
      if (needs.hub && !v.hub) {
        ctx.addIssue({
          code: 'custom',
          path: ['hub'],
          message: 'remote provisioning: choose the hub whose certificate-authority signs the CSR',
        })
      }
    })
    .transform((v) => ({
      owner: v.owner,
      clientId: needs.x509 ? (v.clientId ?? undefined) : undefined,
      hub: needs.hub ? (v.hub ?? undefined) : undefined,
      force: needs.otherOwner && v.force,
    }))
}

export type InitFormValues = z.input<ReturnType<typeof buildInitFormSchema>>
export type InitFormOutput = z.output<ReturnType<typeof buildInitFormSchema>>

export const emptyInitForm = (owner: string): InitFormValues => ({
  owner,
  clientId: null,
  hub: null,
  force: false,
})
