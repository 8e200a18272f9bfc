import { z } from 'zod'
import { backupPassphrase } from '../../../../shared/contract/index'

/** The passphrase twice: a typo would make the backup unreadable, so a mismatch stops here. */
export const backupFormSchema = z
  .object({ passphrase: backupPassphrase, confirm: z.string() })
  .refine((v) => v.passphrase === v.confirm, {
    path: ['confirm'],
    message: 'the two passphrases differ',
  })
export type BackupFormValues = z.input<typeof backupFormSchema>
