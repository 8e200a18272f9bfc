import type { PlgdReference } from '../../../../shared/contract/index'

/** A chosen file answers every reference whose last path segment is its name. */
export function referencesFor(references: PlgdReference[], name: string): string[] {
  return references
    .map(({ reference }) => reference)
    .filter((ref) => ref.split('/').filter(Boolean).pop() === name)
}
