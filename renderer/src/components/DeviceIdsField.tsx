import { Button, FileButton, Group, Text, Textarea } from '@mantine/core'
import { useState } from 'react'
import { parseDeviceIds } from '../lib/device-ids'
import { readFileText } from '../lib/read-file'

/** The device ids a bulk job runs on: typed, pasted or loaded from a CSV or JSON file. */
export function useDeviceIds() {
  const [text, setText] = useState('')
  const [error, setError] = useState<string | null>(null)
  const parsed = parseDeviceIds(text)
  return {
    text,
    error,
    parsed,
    change(next: string) {
      setText(next)
      setError(null)
    },
    async load(file: File | null) {
      if (!file) return
      try {
        setText(await readFileText(file))
        setError(null)
      } catch (err) {
        setError(`${file.name} could not be read: ${(err as Error).message}`)
      }
    },
    /** The ids, or null after showing why there are none usable. */
    validate(): string[] | null {
      const why = parsed.error ?? (parsed.ids.length === 0 ? 'give at least one device id' : null)
      setError(why)
      return why ? null : parsed.ids
    },
  }
}

/** The field for useDeviceIds: a text area, a file button and the count of ids read. */
export function DeviceIdsField({
  ids,
  testId,
  autoFocus = false,
}: {
  ids: ReturnType<typeof useDeviceIds>
  /** Prefix of the test ids: `<p>-ids`, `<p>-file`, `<p>-count`. */
  testId: string
  autoFocus?: boolean
}) {
  const { parsed } = ids
  return (
    <>
      <Textarea
        label="Device ids"
        description="One per line, or comma separated; or load a CSV (first column) or JSON list"
        autosize
        minRows={4}
        maxRows={12}
        value={ids.text}
        onChange={(e) => ids.change(e.currentTarget.value)}
        error={ids.error}
        data-autofocus={autoFocus || undefined}
        data-testid={`${testId}-ids`}
      />
      <Group justify="space-between">
        <FileButton
          onChange={(f) => void ids.load(f)}
          accept=".csv,.json,.txt,text/csv,application/json"
        >
          {(props) => (
            <Button variant="default" {...props} data-testid={`${testId}-file`}>
              Load a CSV or JSON file…
            </Button>
          )}
        </FileButton>
        <Text size="sm" c="dimmed" data-testid={`${testId}-count`}>
          {parsed.error ? '' : `${parsed.ids.length} device${parsed.ids.length === 1 ? '' : 's'}`}
        </Text>
      </Group>
    </>
  )
}
