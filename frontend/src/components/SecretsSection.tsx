import { Badge, Button, Group, Paper, Table, Text, Title } from '@mantine/core'
import { IconRefresh } from '@tabler/icons-react'
import { useState } from 'react'
import type { Schemas } from '../api/client'
import { formatDateTime } from '../lib/datetime'
import { notifyError } from '../lib/forms'
import { CodeSnippet } from './CodeSnippet'
import { RotateSecretModal } from './RotateSecretModal'
import { SecretModal } from './SecretModal'

/** The rotation as a TanStack mutation offers it: `mutate(grace_period_secs, callbacks)`; the answer carries the new secret. */
export interface RotateSecretAction {
  mutate: (gracePeriodSecs: number, options: { onSuccess: (rotated: { client_secret: string }) => void; onError: (error: Error) => void }) => void
  isPending: boolean
}

/**
 * A client's secrets (hints only: the current one and rotated-out ones in their grace period) and,
 * for those who may, "Rotate secret" with a grace period; the new secret is shown once
 * (with `newSecretSnippet`, a ready command that uses it, say a token request) and kept in this component's
 * state only until the user confirms they copied it.
 */
export function SecretsSection({
  name,
  clientId,
  secrets,
  editable,
  timeZone,
  rotate,
  newSecretSnippet,
}: {
  /** The client's name, as the dialogs call it. */
  name: string
  clientId: string
  secrets: Schemas['SecretInfo'][]
  editable: boolean
  timeZone: string
  rotate: RotateSecretAction
  /** Something to paste that uses the new secret, shown with it: its label and its text for a secret. */
  newSecretSnippet?: { label: string; code: (secret: string) => string }
}) {
  const [confirming, setConfirming] = useState(false)
  // The new secret lives here only until the user confirms they copied it.
  const [secret, setSecret] = useState<string | null>(null)

  const confirm = (gracePeriodSecs: number) =>
    rotate.mutate(gracePeriodSecs, {
      onSuccess: (rotated) => {
        setConfirming(false)
        setSecret(rotated.client_secret)
      },
      onError: (error) => notifyError(error, 'Could not rotate the secret'),
    })

  return (
    <Paper withBorder radius="md" p="lg" component="section" aria-labelledby="secrets-heading">
      <Group justify="space-between" align="flex-start" mb="md" wrap="wrap">
        <div>
          <Title order={2} fz="h4" id="secrets-heading">
            Client secret
          </Title>
          <Text c="dimmed" size="sm" maw={560}>
            The secret is shown only when it is created. Lost it or leaked it? Rotate it: the new one is shown once.
          </Text>
        </div>
        {editable && (
          <Button variant="default" leftSection={<IconRefresh size={16} aria-hidden />} onClick={() => setConfirming(true)}>
            Rotate secret
          </Button>
        )}
      </Group>
      <Table.ScrollContainer minWidth={420}>
        <Table verticalSpacing="xs">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Secret</Table.Th>
              <Table.Th>Created</Table.Th>
              <Table.Th>Status</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {secrets.length === 0 && (
              <Table.Tr>
                <Table.Td colSpan={3}>
                  <Text size="sm" c="dimmed">
                    No valid secret: rotate to get one.
                  </Text>
                </Table.Td>
              </Table.Tr>
            )}
            {secrets.map((s) => (
              <Table.Tr key={s.id}>
                <Table.Td>
                  <Text ff="monospace" size="sm" aria-label={`Secret ending in ${s.hint}`}>
                    ••••{s.hint}
                  </Text>
                </Table.Td>
                <Table.Td>
                  <Text size="sm">{formatDateTime(s.created_at, timeZone)}</Text>
                </Table.Td>
                <Table.Td>
                  {s.expires_at ? (
                    <Badge variant="light" color="orange">
                      Expires {formatDateTime(s.expires_at, timeZone)}
                    </Badge>
                  ) : (
                    <Badge variant="light" color="teal">
                      Current
                    </Badge>
                  )}
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>

      <RotateSecretModal
        opened={confirming}
        onClose={() => setConfirming(false)}
        onConfirm={confirm}
        pending={rotate.isPending}
        title="Rotate the client secret"
        immediately="Servers still using it will get 401 until they are given the new one."
      >
        A new secret is created for <b>{name}</b> and shown once. How long may the current secret keep working while
        you deploy the new one?
      </RotateSecretModal>
      <SecretModal title={`New client secret of “${name}”`} clientId={clientId} secret={secret} onConfirm={() => setSecret(null)}>
        {secret !== null && newSecretSnippet && <CodeSnippet label={newSecretSnippet.label} code={newSecretSnippet.code(secret)} wrap />}
      </SecretModal>
    </Paper>
  )
}
