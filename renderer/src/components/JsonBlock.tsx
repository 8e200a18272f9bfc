import { Code } from '@mantine/core'
import { formatJson } from '../lib/format'

export function JsonBlock({ value, testId }: { value: unknown; testId?: string }) {
  return (
    <Code block data-testid={testId} style={{ whiteSpace: 'pre-wrap', wordBreak: 'break-all' }}>
      {formatJson(value)}
    </Code>
  )
}
