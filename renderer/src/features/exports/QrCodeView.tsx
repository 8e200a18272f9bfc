import { Alert, Box, Stack, Text } from '@mantine/core'
import { useMemo } from 'react'
import { qrMatrix } from './qr'

/** Modules of white border around the code: scanners need the quiet zone. */
const QUIET_ZONE = 4

/**
 * A QR code drawn as SVG rects by React: no data: URL and no injected markup, so the strict
 * CSP holds. A text too large for one code is refused with its size and the way out.
 */
export function QrCodeView({ text, holdsSecret }: { text: string; holdsSecret: boolean }) {
  const matrix = useMemo(() => qrMatrix(text), [text])
  if (!matrix.ok) {
    return (
      <Alert color="orange" title="Too large for a QR code" data-testid="qr-too-large">
        {matrix.message}
      </Alert>
    )
  }
  const dim = matrix.size + 2 * QUIET_ZONE
  return (
    <Stack gap="xs" align="center">
      <Box w={400} maw="100%">
        <svg
          role="img"
          aria-label="QR code of the document"
          viewBox={`0 0 ${dim} ${dim}`}
          width="100%"
          shapeRendering="crispEdges"
          data-testid="qr-code"
        >
          <rect x={0} y={0} width={dim} height={dim} fill="#fff" />
          {matrix.runs.map(([x, y, width]) => (
            <rect
              key={`${x},${y}`}
              x={x + QUIET_ZONE}
              y={y + QUIET_ZONE}
              width={width}
              height={1}
              fill="#000"
            />
          ))}
        </svg>
      </Box>
      <Text size="sm" c="dimmed" ta="center">
        The code holds the whole document; scan it with a phone or another laptop.
        {holdsSecret && ' It holds the secret: show it only to the device that needs it.'}
      </Text>
    </Stack>
  )
}
