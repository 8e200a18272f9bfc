import { Button, type ButtonProps } from '@mantine/core'
import { useEffect, useState } from 'react'
import { copyText } from '../lib/clipboard'
import { notify } from '../lib/notify'

interface CopyButtonProps extends ButtonProps {
  value: string
  /** What is copied, for the accessible name: "Copy issuer URL". */
  label: string
  testId?: string
}

export function CopyButton({ value, label, testId, ...buttonProps }: CopyButtonProps) {
  const [copied, setCopied] = useState(false)
  useEffect(() => {
    if (!copied) return
    const timer = setTimeout(() => setCopied(false), 1500)
    return () => clearTimeout(timer)
  }, [copied])

  const onCopy = () => {
    copyText(value).then(
      () => setCopied(true),
      (err: unknown) => notify.error(err, { title: 'Copy failed' }),
    )
  }

  return (
    <Button
      variant="light"
      size="xs"
      color={copied ? 'teal' : undefined}
      onClick={onCopy}
      aria-label={`Copy ${label}`}
      data-testid={testId}
      data-copied={copied || undefined}
      {...buttonProps}
    >
      {copied ? 'Copied' : 'Copy'}
    </Button>
  )
}
