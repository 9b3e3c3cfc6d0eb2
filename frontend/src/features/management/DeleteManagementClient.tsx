import { Button, Group, Paper, Text, Title } from '@mantine/core'
import { useDisclosure } from '@mantine/hooks'
import { useNavigate } from 'react-router'
import { ConfirmModal } from '../../components/ConfirmModal'
import { notifyError, notifySuccess } from '../../lib/forms'
import { LEAVE_WITHOUT_ASKING } from '../../lib/useUnsavedChangesGuard'
import { useDeleteManagementClient } from './api'
import type { ManagementClient } from './model'

export function DeleteManagementClient({ slug, client }: { slug: string; client: ManagementClient }) {
  const [opened, { open, close }] = useDisclosure(false)
  const remove = useDeleteManagementClient(slug, client.id)
  const navigate = useNavigate()

  const confirm = () =>
    remove.mutate(undefined, {
      onSuccess: () => {
        notifySuccess(`Management client “${client.name}” deleted`)
        navigate(`/i/${slug}/settings/management-clients`, { replace: true, state: LEAVE_WITHOUT_ASKING })
      },
      onError: (error) => {
        notifyError(error, 'Could not delete the management client')
        close()
      },
    })

  return (
    <Paper withBorder radius="md" p="lg" component="section" aria-labelledby="client-danger-heading" style={{ borderColor: 'var(--mantine-color-red-4)' }}>
      <Title order={2} fz="h4" c="red" id="client-danger-heading">
        Danger zone
      </Title>
      <Group justify="space-between" mt="sm" wrap="wrap">
        <div>
          <Text fw={500}>Delete this management client</Text>
          <Text c="dimmed" size="sm">
            Its secrets and every token it holds stop working at once. This cannot be undone.
          </Text>
        </div>
        <Button color="red" variant="outline" onClick={open}>
          Delete client
        </Button>
      </Group>
      <ConfirmModal opened={opened} onClose={close} title="Delete management client" confirmLabel="Delete permanently" onConfirm={confirm} pending={remove.isPending}>
        Delete <b>{client.name}</b>? Machines using client id{' '}
        <Text span ff="monospace" size="sm">
          {client.client_id}
        </Text>{' '}
        are refused at once, their tokens too.
      </ConfirmModal>
    </Paper>
  )
}
