import { Badge, Button, Code, Table } from '@mantine/core'
import type { ExportedFile } from '../../../../shared/contract/index'
import { downloadText } from '../../lib/download'
import { byteLength } from './qr'
import { fileName } from './file-name'

/** Each file of an export with where it goes and a download; secret-holding files are marked. */
export function FileDownloads({ files, testId }: { files: ExportedFile[]; testId: string }) {
  return (
    <Table.ScrollContainer minWidth={480}>
      <Table data-testid={testId}>
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Path</Table.Th>
            <Table.Th>Size</Table.Th>
            <Table.Th />
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {files.map((file) => (
            <Table.Tr key={file.path} data-testid="export-file" data-path={file.path}>
              <Table.Td>
                <Code>{file.path}</Code>{' '}
                {file.containsSecret && (
                  <Badge color="orange" variant="light" size="sm" data-testid="export-file-secret">
                    holds a secret
                  </Badge>
                )}
              </Table.Td>
              <Table.Td>{byteLength(file.content).toLocaleString('en')} B</Table.Td>
              <Table.Td>
                <Button
                  size="xs"
                  variant="light"
                  onClick={() => downloadText(fileName(file.path), file.content, file.mediaType)}
                  aria-label={`Download ${file.path}`}
                >
                  Download
                </Button>
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  )
}
