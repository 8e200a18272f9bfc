/** A download's name: the last part of an export path (a browser cannot save into folders). */
export function fileName(path: string): string {
  return path.split('/').filter(Boolean).pop() ?? 'export'
}
