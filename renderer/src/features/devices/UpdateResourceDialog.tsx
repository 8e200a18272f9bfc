import { Alert, Button, Group, Modal, Stack, Textarea, TextInput } from '@mantine/core'
import { zodResolver } from '@hookform/resolvers/zod'
import { useForm } from 'react-hook-form'
import { z } from 'zod'
import { JsonBlock } from '../../components/JsonBlock'
import { fieldError, jsonField, resolverOptions } from '../../lib/form'
import { useUpdateResource } from './queries'

const schema = z.object({
  href: z
    .string()
    .trim()
    .min(2, 'an href like /light/1')
    .regex(/^\/\S*$/, 'a resource href starts with / and has no spaces'),
  json: jsonField(undefined).refine((v) => v !== undefined, 'give the content as JSON'),
})
type Values = z.input<typeof schema>
type Output = z.output<typeof schema>

/** PUT a resource's content through http-gateway (a plain JSON body). */
export function UpdateResourceDialog({
  hub,
  deviceId,
  href,
  onClose,
}: {
  hub: string
  deviceId: string
  href: string
  onClose: () => void
}) {
  const update = useUpdateResource()
  const {
    register,
    handleSubmit,
    formState: { errors },
  } = useForm<Values, unknown, Output>({
    resolver: zodResolver(schema, resolverOptions),
    defaultValues: { href, json: '{}' },
  })
  const onSubmit = handleSubmit(({ href: target, json }) =>
    update.mutate({ hub, deviceId, href: target, content: json as never }),
  )
  return (
    <Modal
      opened
      onClose={onClose}
      title={`Update a resource of ${deviceId}`}
      size="lg"
      attributes={{ content: { 'data-testid': 'update-resource-dialog' } }}
    >
      <form onSubmit={onSubmit} noValidate>
        <Stack>
          <TextInput
            label="Resource href"
            required
            error={fieldError(errors, 'href')}
            data-testid="update-href"
            {...register('href')}
          />
          <Textarea
            label="New content (JSON)"
            required
            autosize
            minRows={3}
            data-autofocus
            styles={{ input: { fontFamily: 'monospace' } }}
            error={fieldError(errors, 'json')}
            data-testid="update-json"
            {...register('json')}
          />
          {update.isError && (
            <Alert color="red" title="Not updated" data-testid="update-failed">
              {update.error.message}
            </Alert>
          )}
          {update.data && (
            <Stack gap={4} data-testid="update-answer">
              <Alert color="green" title="Updated">
                The device answered:
              </Alert>
              <JsonBlock value={update.data.content} />
            </Stack>
          )}
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>
              Close
            </Button>
            <Button type="submit" loading={update.isPending} data-testid="update-submit">
              Update
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  )
}
