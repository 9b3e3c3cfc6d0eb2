import { Button, Group, Modal, Stack, Text, Tooltip } from '@mantine/core'
import { useDisclosure } from '@mantine/hooks'
import { IconBan, IconRefresh } from '@tabler/icons-react'
import { notifyError, notifySuccess } from '../../lib/forms'
import { useCancelEmail, useRetryEmail } from './api'
import type { OutboxEmail } from './model'

type Size = 'xs' | 'sm'

/**
 * Sends a stuck email now: a failed one again (its attempts start over), a queued one without
 * waiting for its next attempt. `compact` (table rows) names the email in the accessible name only.
 */
export function RetryButton({ slug, email, size = 'xs', compact = false }: { slug: string; email: OutboxEmail; size?: Size; compact?: boolean }) {
  const retry = useRetryEmail(slug)
  const waiting = email.status === 'queued'
  const onRetry = () =>
    retry.mutate(email.id, {
      onSuccess: () => notifySuccess(waiting ? `The email to ${email.to} is being sent now` : `The email to ${email.to} is queued again`),
      onError: (error) => notifyError(error, 'Could not retry the email'),
    })
  const button = (
    <Button
      size={size}
      variant="light"
      leftSection={<IconRefresh size={14} aria-hidden />}
      loading={retry.isPending}
      onClick={onRetry}
      aria-label={compact ? `Retry the email to ${email.to}` : undefined}
    >
      {compact || !waiting ? 'Retry' : 'Retry now'}
    </Button>
  )
  return waiting ? (
    <Tooltip label="Send it now instead of at its next attempt" withinPortal>
      {button}
    </Tooltip>
  ) : (
    button
  )
}

/** Cancels a stuck email after a confirmation: it is never sent. */
export function CancelButton({ slug, email, size = 'xs', compact = false }: { slug: string; email: OutboxEmail; size?: Size; compact?: boolean }) {
  const [opened, { open, close }] = useDisclosure(false)
  const cancel = useCancelEmail(slug)
  const confirm = () =>
    cancel.mutate(email.id, {
      onSuccess: () => {
        notifySuccess(`The email to ${email.to} is cancelled`)
        close()
      },
      // 409 when it went on its way meanwhile: the server's sentence says so.
      onError: (error) => {
        notifyError(error, 'Could not cancel the email')
        close()
      },
    })

  return (
    <>
      <Button
        size={size}
        variant="subtle"
        color="red"
        leftSection={<IconBan size={14} aria-hidden />}
        onClick={open}
        aria-label={compact ? `Cancel the email to ${email.to}` : undefined}
      >
        Cancel
      </Button>
      {/* Not ConfirmModal: its "Cancel" button beside "Cancel the email" would read as the same thing. */}
      <Modal opened={opened} onClose={() => !cancel.isPending && close()} title="Cancel this email?" centered>
        <Stack>
          <Text size="sm">
            The email to <b>{email.to}</b> will never be sent. If its user still needs it, they (or you) will have to ask for a new one.
          </Text>
          <Group justify="flex-end">
            <Button variant="default" onClick={close} disabled={cancel.isPending}>
              Keep it
            </Button>
            <Button color="red" onClick={confirm} loading={cancel.isPending}>
              Cancel the email
            </Button>
          </Group>
        </Stack>
      </Modal>
    </>
  )
}
