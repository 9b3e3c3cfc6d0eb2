import { Button, Group, Paper, Text, Title } from '@mantine/core'
import { useDisclosure } from '@mantine/hooks'
import { useNavigate } from 'react-router'
import { ConfirmModal } from '../../components/ConfirmModal'
import { notifyError, notifySuccess } from '../../lib/forms'
import { LEAVE_WITHOUT_ASKING } from '../../lib/useUnsavedChangesGuard'
import { useDeleteApplication } from './api'
import type { Application } from './model'

export function DeleteApplication({ slug, app }: { slug: string; app: Application }) {
  const [opened, { open, close }] = useDisclosure(false)
  const remove = useDeleteApplication(slug, app.id)
  const navigate = useNavigate()

  const confirm = () =>
    remove.mutate(undefined, {
      onSuccess: () => {
        notifySuccess(`Application “${app.name}” deleted`)
        navigate(`/i/${slug}/applications`, { replace: true, state: LEAVE_WITHOUT_ASKING })
      },
      onError: (error) => {
        notifyError(error, 'Could not delete the application')
        close()
      },
    })

  return (
    <Paper withBorder radius="md" p="lg" component="section" aria-labelledby="app-danger-heading" style={{ borderColor: 'var(--mantine-color-red-4)' }}>
      <Title order={2} fz="h4" c="red" id="app-danger-heading">
        Danger zone
      </Title>
      <Group justify="space-between" mt="sm" wrap="wrap">
        <div>
          <Text fw={500}>Delete this application</Text>
          <Text c="dimmed" size="sm">
            {app.kind === 'backend' ? 'Its client id, secrets and tokens stop' : 'Its client id stops'} working at once. This cannot
            be undone.
          </Text>
        </div>
        <Button color="red" variant="outline" onClick={open}>
          Delete application
        </Button>
      </Group>
      <ConfirmModal opened={opened} onClose={close} title="Delete application" confirmLabel="Delete permanently" onConfirm={confirm} pending={remove.isPending}>
        Delete <b>{app.name}</b>? Apps using client id{' '}
        <Text span ff="monospace" size="sm">
          {app.client_id}
        </Text>{' '}
        will be refused at once.
      </ConfirmModal>
    </Paper>
  )
}
