import { Button, Group, Modal, Paper, Stack, Text, TextInput, Title } from '@mantine/core'
import { useDisclosure } from '@mantine/hooks'
import { useState } from 'react'
import { useNavigate } from 'react-router'
import { notifyError, notifySuccess } from '../../lib/forms'
import { LEAVE_WITHOUT_ASKING } from '../../lib/useUnsavedChangesGuard'
import { useDeleteInstance } from './api'
import type { Instance } from './roles'

export function DangerZone({ instance }: { instance: Instance }) {
  const [opened, { open, close }] = useDisclosure(false)
  const [typed, setTyped] = useState('')
  const remove = useDeleteInstance(instance.slug)
  const navigate = useNavigate()

  const closeModal = () => {
    setTyped('')
    close()
  }

  const confirm = () =>
    remove.mutate(undefined, {
      onSuccess: () => {
        notifySuccess(`Instance “${instance.name}” deleted`)
        navigate('/', { replace: true, state: LEAVE_WITHOUT_ASKING })
      },
      onError: (error) => notifyError(error, 'Could not delete the instance'),
    })

  return (
    <Paper withBorder radius="md" p="lg" component="section" aria-labelledby="danger-heading" style={{ borderColor: 'var(--mantine-color-red-4)' }}>
      <Title order={2} fz="h4" c="red" id="danger-heading">
        Danger zone
      </Title>
      <Group justify="space-between" mt="sm" wrap="wrap">
        <div>
          <Text fw={500}>Delete this instance</Text>
          <Text c="dimmed" size="sm">
            Removes the instance and everything in it. This cannot be undone.
          </Text>
        </div>
        <Button color="red" variant="outline" onClick={open}>
          Delete instance
        </Button>
      </Group>
      <Modal opened={opened} onClose={closeModal} title="Delete instance" centered>
        <form
          onSubmit={(e) => {
            e.preventDefault()
            if (typed === instance.slug) confirm()
          }}
        >
          <Stack>
            <Text size="sm">
              This permanently deletes <b>{instance.name}</b> with all its data. To confirm, type its slug{' '}
              <Text span ff="monospace" fw={700}>
                {instance.slug}
              </Text>
              .
            </Text>
            <TextInput
              label="Instance slug"
              value={typed}
              onChange={(e) => setTyped(e.currentTarget.value)}
              autoComplete="off"
              spellCheck={false}
              data-autofocus
            />
            <Group justify="flex-end">
              <Button variant="default" onClick={closeModal}>
                Cancel
              </Button>
              <Button type="submit" color="red" disabled={typed !== instance.slug} loading={remove.isPending}>
                Delete permanently
              </Button>
            </Group>
          </Stack>
        </form>
      </Modal>
    </Paper>
  )
}
