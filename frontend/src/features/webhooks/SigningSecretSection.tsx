import { Badge, Button, Group, Paper, Text, Title } from '@mantine/core'
import { IconRefresh } from '@tabler/icons-react'
import { useState } from 'react'
import { CodeSnippet } from '../../components/CodeSnippet'
import { RotateSecretModal } from '../../components/RotateSecretModal'
import { SecretModal } from '../../components/SecretModal'
import { notifyError } from '../../lib/forms'
import { useRotateWebhookSecret } from './api'
import { endpointLabel, formatDateTime, SIGNING_SECRET_NOTICE, type Webhook } from './model'

/**
 * The endpoint's signing secret: never shown again after it was made; "Rotate secret" (admins and
 * owners) makes a new one, shown once, with a grace period during which both secrets sign.
 */
export function SigningSecretSection({
  slug,
  endpoint,
  fetchedAt,
  editable,
  timeZone,
}: {
  slug: string
  endpoint: Webhook
  /** When `endpoint` was read from the server (ms): a grace period over by then is not shown. */
  fetchedAt: number
  editable: boolean
  timeZone: string
}) {
  const rotate = useRotateWebhookSecret(slug, endpoint.id)
  const [confirming, setConfirming] = useState(false)
  // The new secret lives here only until the user confirms they copied it.
  const [secret, setSecret] = useState<string | null>(null)
  const previousUntil = endpoint.previous_secret_expires_at
  const graceRunning = previousUntil !== null && previousUntil !== undefined && Date.parse(previousUntil) > fetchedAt

  const confirm = (gracePeriodSecs: number) =>
    rotate.mutate(gracePeriodSecs, {
      onSuccess: (rotated) => {
        setConfirming(false)
        setSecret(rotated.secret)
      },
      onError: (error) => notifyError(error, 'Could not rotate the signing secret'),
    })

  return (
    <Paper withBorder radius="md" p="lg" component="section" aria-labelledby="signing-secret-heading">
      <Group justify="space-between" align="flex-start" wrap="wrap">
        <div>
          <Title order={2} fz="h4" id="signing-secret-heading">
            Signing secret
          </Title>
          <Text c="dimmed" size="sm" maw={620}>
            Every delivery is signed with this endpoint’s <code>whsec_…</code> secret, shown only when it was made.
            Lost it or leaked it? Rotate it: during the grace period each delivery carries both signatures, so your
            receiver can switch without missing one.
          </Text>
          {graceRunning && (
            <Badge mt="sm" variant="light" color="orange" tt="none" data-testid="previous-secret">
              The previous secret also signs until {formatDateTime(previousUntil, timeZone)}
            </Badge>
          )}
        </div>
        {editable && (
          <Button variant="default" leftSection={<IconRefresh size={16} aria-hidden />} onClick={() => setConfirming(true)}>
            Rotate secret
          </Button>
        )}
      </Group>

      <RotateSecretModal
        opened={confirming}
        onClose={() => setConfirming(false)}
        onConfirm={confirm}
        pending={rotate.isPending}
        title="Rotate the signing secret"
        immediately="Your receiver will refuse deliveries until it has the new one."
      >
        A new signing secret is made for <b>{endpointLabel(endpoint.url)}</b> and shown once. How long may the current
        secret keep signing deliveries while you give the new one to your receiver?
      </RotateSecretModal>
      <SecretModal
        title={`New signing secret of ${endpointLabel(endpoint.url)}`}
        secret={secret}
        secretLabel="Signing secret"
        secretTestId="signing-secret"
        notice={SIGNING_SECRET_NOTICE}
        onConfirm={() => setSecret(null)}
      >
        {secret !== null && <CodeSnippet code={`STEWARD_WEBHOOK_SECRET=${secret}`} label="environment variable" wrap />}
      </SecretModal>
    </Paper>
  )
}
