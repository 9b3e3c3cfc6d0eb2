import { Alert, Button, Code, Group, Modal, Stack, Text } from '@mantine/core'
import { IconAlertTriangle } from '@tabler/icons-react'
import type { ReactNode } from 'react'
import { CopyIconButton } from './CopyIconButton'

const HASHED_NOTICE =
  "Store the secret in your server's configuration or secret manager. Steward keeps only a hash of it; if it is lost, rotate the secret to get a new one."

/**
 * Shows a secret once (a client secret, a webhook signing secret). It cannot be dismissed (no
 * close button, Escape or outside click): only "I have copied it" closes it, and the caller then
 * forgets the secret. `children` come after the secret (a ready-to-paste command that uses it, say).
 */
export function SecretModal({
  secret,
  clientId,
  title,
  onConfirm,
  secretLabel = 'Client secret',
  secretTestId = 'client-secret',
  notice = HASHED_NOTICE,
  children,
}: {
  secret: string | null
  /** The client id shown above the secret; none for a secret that belongs to no client. */
  clientId?: string
  title: string
  onConfirm: () => void
  /** What the secret is called ("Client secret", "Signing secret"); its copy button says so. */
  secretLabel?: string
  secretTestId?: string
  /** Where to keep it and what Steward keeps of it. */
  notice?: ReactNode
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
          {notice}
        </Alert>
        {clientId !== undefined && (
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
        )}
        <div>
          <Text size="sm" fw={500} mb={4}>
            {secretLabel}
          </Text>
          <Group gap={4} wrap="nowrap">
            <Code block style={{ flex: 1, wordBreak: 'break-all', whiteSpace: 'pre-wrap' }} data-testid={secretTestId}>
              {secret ?? ''}
            </Code>
            <CopyIconButton value={secret ?? ''} label={`Copy ${secretLabel.toLowerCase()}`} />
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
