import { Button, Group, Paper, Text, Title } from '@mantine/core'
import { useDisclosure } from '@mantine/hooks'
import { useNavigate } from 'react-router'
import { ConfirmModal } from '../../components/ConfirmModal'
import { notifyError, notifySuccess } from '../../lib/forms'
import { LEAVE_WITHOUT_ASKING } from '../../lib/useUnsavedChangesGuard'
import { useDeleteWebhook } from './api'
import { endpointLabel, type Webhook } from './model'

export function DeleteWebhook({ slug, endpoint }: { slug: string; endpoint: Webhook }) {
  const [opened, { open, close }] = useDisclosure(false)
  const remove = useDeleteWebhook(slug, endpoint.id)
  const navigate = useNavigate()

  const confirm = () =>
    remove.mutate(undefined, {
      onSuccess: () => {
        notifySuccess(`Webhook endpoint ${endpointLabel(endpoint.url)} deleted`)
        navigate(`/i/${slug}/settings/webhooks`, { replace: true, state: LEAVE_WITHOUT_ASKING })
      },
      onError: (error) => {
        notifyError(error, 'Could not delete the webhook endpoint')
        close()
      },
    })

  return (
    <Paper withBorder radius="md" p="lg" component="section" aria-labelledby="endpoint-danger-heading" style={{ borderColor: 'var(--mantine-color-red-4)' }}>
      <Title order={2} fz="h4" c="red" id="endpoint-danger-heading">
        Danger zone
      </Title>
      <Group justify="space-between" mt="sm" wrap="wrap">
        <div>
          <Text fw={500}>Delete this endpoint</Text>
          <Text c="dimmed" size="sm">
            No more events are sent to it and its pending deliveries are dropped. This cannot be undone.
          </Text>
        </div>
        <Button color="red" variant="outline" onClick={open}>
          Delete endpoint
        </Button>
      </Group>
      <ConfirmModal opened={opened} onClose={close} title="Delete webhook endpoint" confirmLabel="Delete permanently" onConfirm={confirm} pending={remove.isPending}>
        Delete the endpoint{' '}
        <Text span ff="monospace" size="sm" style={{ wordBreak: 'break-all' }}>
          {endpoint.url}
        </Text>
        ? Steward stops sending it events at once and drops its pending deliveries.
      </ConfirmModal>
    </Paper>
  )
}
