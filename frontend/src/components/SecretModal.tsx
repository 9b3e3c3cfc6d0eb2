import { Alert, Button, Code, Group, Modal, Stack, Text } from '@mantine/core'
import { IconAlertTriangle } from '@tabler/icons-react'
import type { ReactNode } from 'react'
import { CopyIconButton } from './CopyIconButton'

/**
 * Shows a client secret once. It cannot be dismissed (no close button, Escape or outside click):
 * only "I have copied it" closes it, and the caller then forgets the secret. `children` come after
 * the secret (a ready-to-paste command that uses it, say).
 */
export function SecretModal({
  secret,
  clientId,
  title,
  onConfirm,
  children,
}: {
  secret: string | null
  clientId: string
  title: string
  onConfirm: () => void
  children?: ReactNode
}) {
  return (
    <Modal
      opened={secret !== null}
      onClose={() => {}}
      withCloseButton={false}
      closeOnEscape={false}
      closeOnClickOutside={false}
      title={title}
      centered
      size="lg"
    >
      <Stack>
        <Alert color="orange" icon={<IconAlertTriangle size={18} aria-hidden />} title="Copy it now: it will not be shown again">
          Store the secret in your server's configuration or secret manager. Steward keeps only a hash of it; if it is
          lost, rotate the secret to get a new one.
        </Alert>
        <div>
          <Text size="sm" fw={500} mb={4}>
            Client id
          </Text>
          <Group gap={4} wrap="nowrap">
            <Code block style={{ flex: 1 }} data-testid="client-id">
              {clientId}
            </Code>
            <CopyIconButton value={clientId} label="Copy client id" />
          </Group>
        </div>
        <div>
          <Text size="sm" fw={500} mb={4}>
            Client secret
          </Text>
          <Group gap={4} wrap="nowrap">
            <Code block style={{ flex: 1, wordBreak: 'break-all', whiteSpace: 'pre-wrap' }} data-testid="client-secret">
              {secret ?? ''}
            </Code>
            <CopyIconButton value={secret ?? ''} label="Copy client secret" />
          </Group>
        </div>
        {children}
        <Group justify="flex-end">
          <Button onClick={onConfirm} data-autofocus>
            I have copied it
          </Button>
        </Group>
      </Stack>
    </Modal>
  )
}
