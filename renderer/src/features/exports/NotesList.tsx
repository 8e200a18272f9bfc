import { List } from '@mantine/core'

/** Where an export goes and what it assumes, as main wrote it; nothing when there is none. */
export function NotesList({ notes, testId }: { notes: string[]; testId: string }) {
  if (notes.length === 0) return null
  return (
    <List size="sm" spacing={2} data-testid={testId}>
      {notes.map((note) => (
        <List.Item key={note}>{note}</List.Item>
      ))}
    </List>
  )
}
