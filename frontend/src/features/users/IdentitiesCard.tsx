import { Alert, Button, Code, Group, Loader, Paper, Stack, Table, Text, Title, VisuallyHidden } from '@mantine/core'
import { IconLinkOff } from '@tabler/icons-react'
import { useState } from 'react'
import { ConfirmModal } from '../../components/ConfirmModal'
import { CopyIconButton } from '../../components/CopyIconButton'
import { ErrorAlert } from '../../components/ErrorAlert'
import { ProviderIcon } from '../../components/ProviderIcon'
import { notifySuccess } from '../../lib/forms'
import { providerLabel } from '../../lib/identityProviders'
import { errorMessage } from '../../lib/problem'
import { useUnlinkIdentity, useUserIdentities } from './api'
import { formatDateTime, type User, type UserIdentity } from './model'

/** What the user signs in with when no provider account is linked. */
function emptyText(user: User): string {
  if (user.provider === 'guest') return 'No linked identities — this user is a guest session.'
  if (user.has_password) return 'No linked identities — this user signs in with a password.'
  return 'No linked identities — this user has no password yet either: they sign in once one is set (an invitation or a password reset).'
}

/**
 * The provider accounts (Google, X, an OpenID Connect provider...) that sign in to this user,
 * with "Unlink" for those who may change users. The server refuses to unlink the user's last way
 * to sign in (409 `last_sign_in_method`): its sentence shows here.
 */
export function IdentitiesCard({ slug, user, timeZone, editable }: { slug: string; user: User; timeZone: string; editable: boolean }) {
  const identities = useUserIdentities(slug, user.id)
  const unlink = useUnlinkIdentity(slug, user.id)
  // The identity asked about (kept while the confirmation closes, so that its text stays).
  const [confirming, setConfirming] = useState<UserIdentity | null>(null)
  const [opened, setOpened] = useState(false)
  const [failure, setFailure] = useState<string | null>(null)

  const ask = (identity: UserIdentity) => {
    setConfirming(identity)
    setOpened(true)
  }

  const confirm = () => {
    if (!confirming) return
    const identity = confirming
    setFailure(null)
    unlink.mutate(identity.id, {
      onSuccess: () => {
        setOpened(false)
        notifySuccess(`${providerLabel(identity.provider)} identity unlinked`)
      },
      onError: (error) => {
        setOpened(false)
        setFailure(errorMessage(error))
      },
    })
  }

  const when = (iso: string | null | undefined) => (
    <Text size="sm" c={iso ? undefined : 'dimmed'} style={{ whiteSpace: 'nowrap' }}>
      {iso ? formatDateTime(iso, timeZone) : 'Never'}
    </Text>
  )

  return (
    <Paper withBorder radius="md" p="lg" component="section" aria-labelledby="user-identities-heading">
      <Group gap="xs">
        <Title order={2} fz="h4" id="user-identities-heading">
          Identities
        </Title>
        {identities.isFetching && !identities.isPending && <Loader size={14} aria-label="Refreshing identities" />}
      </Group>
      <Text c="dimmed" size="sm" mb="sm">
        Accounts at identity providers that sign in to this user.
      </Text>
      {failure && (
        <Alert color="red" title="Could not unlink the identity" role="alert" withCloseButton closeButtonLabel="Dismiss" onClose={() => setFailure(null)} mb="sm">
          {failure}
        </Alert>
      )}
      {identities.isPending ? (
        <Group gap="xs">
          <Loader size="xs" />
          <Text c="dimmed" size="sm">
            Loading identities…
          </Text>
        </Group>
      ) : identities.isError ? (
        <ErrorAlert error={identities.error} title="Could not load the identities" onRetry={() => identities.refetch()} />
      ) : identities.data.items.length === 0 ? (
        <Text c="dimmed" size="sm">
          {emptyText(user)}
        </Text>
      ) : (
        <Stack gap="xs">
          <Table.ScrollContainer minWidth={720}>
            <Table verticalSpacing="xs" aria-label="Linked identities">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>Provider</Table.Th>
                  <Table.Th>Subject</Table.Th>
                  <Table.Th>Email</Table.Th>
                  <Table.Th>Linked</Table.Th>
                  <Table.Th>Last used</Table.Th>
                  {editable && (
                    <Table.Th>
                      <VisuallyHidden>Actions</VisuallyHidden>
                    </Table.Th>
                  )}
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {identities.data.items.map((identity) => (
                  <Table.Tr key={identity.id}>
                    <Table.Td>
                      <Group gap="xs" wrap="nowrap">
                        <ProviderIcon provider={identity.provider} size={22} />
                        <Text size="sm">{providerLabel(identity.provider)}</Text>
                      </Group>
                    </Table.Td>
                    <Table.Td maw={220}>
                      <Group gap={2} wrap="nowrap">
                        <Code style={{ overflow: 'hidden', textOverflow: 'ellipsis', whiteSpace: 'nowrap' }} title={identity.subject}>
                          {identity.subject}
                        </Code>
                        <CopyIconButton value={identity.subject} label={`Copy the ${providerLabel(identity.provider)} subject`} size="sm" />
                      </Group>
                    </Table.Td>
                    <Table.Td maw={220}>
                      <Text size="sm" c={identity.email ? undefined : 'dimmed'} truncate title={identity.email ?? undefined}>
                        {identity.email || 'None given'}
                      </Text>
                    </Table.Td>
                    <Table.Td>{when(identity.linked_at)}</Table.Td>
                    <Table.Td>{when(identity.last_used_at)}</Table.Td>
                    {editable && (
                      <Table.Td>
                        <Button
                          size="xs"
                          variant="subtle"
                          color="red"
                          leftSection={<IconLinkOff size={14} aria-hidden />}
                          aria-label={`Unlink the ${providerLabel(identity.provider)} identity ${identity.subject}`}
                          onClick={() => ask(identity)}
                        >
                          Unlink
                        </Button>
                      </Table.Td>
                    )}
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
          <Text size="xs" c="dimmed">
            Times in {timeZone}.
          </Text>
        </Stack>
      )}
      <ConfirmModal
        opened={opened}
        onClose={() => setOpened(false)}
        title="Unlink identity"
        confirmLabel="Unlink"
        onConfirm={confirm}
        pending={unlink.isPending}
      >
        {confirming && (
          <>
            Unlink the {providerLabel(confirming.provider)} account <b>{confirming.email || confirming.subject}</b> from this user? It will no longer
            sign in to them; signing in with it again creates a new user, or links to a user with the same verified address.
          </>
        )}
      </ConfirmModal>
    </Paper>
  )
}
