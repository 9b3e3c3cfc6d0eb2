import { Anchor, Badge, Button, Group, Paper, Stack, Text, Title } from '@mantine/core'
import { IconArrowLeft } from '@tabler/icons-react'
import { Link, useParams } from 'react-router'
import { CopyIconButton } from '../../components/CopyIconButton'
import { ErrorAlert } from '../../components/ErrorAlert'
import { FullPageLoader } from '../../components/FullPageLoader'
import { SecretsSection } from '../../components/SecretsSection'
import { formatDateTime, formatRelative } from '../../lib/datetime'
import { usePageTitle } from '../../lib/pageTitle'
import { ApiError } from '../../lib/problem'
import { AdminsOnly } from './AdminsOnly'
import { useManagementClient, useManagementScopes, useRotateManagementSecret } from './api'
import { ClientSettingsSection } from './ClientSettingsSection'
import { DeleteManagementClient } from './DeleteManagementClient'
import { can, tokenCurl, type InstanceRef } from './model'
import { TokenHelp } from './TokenHelp'

export function ManagementClientDetailPage({ instance }: { instance: InstanceRef }) {
  const { id = '' } = useParams()
  const allowed = can.manageClients(instance.role)
  const client = useManagementClient(instance.slug, id, allowed)
  const catalogue = useManagementScopes(allowed)
  const rotate = useRotateManagementSecret(instance.slug, id)
  usePageTitle(
    client.data?.name ?? (client.isError ? 'Management client not found' : 'Management client'),
    'Management clients',
    instance.name ?? instance.slug,
  )
  const listPath = `/i/${instance.slug}/settings/management-clients`
  const back = (
    <Anchor component={Link} to={listPath} size="sm">
      <Group gap={4} component="span">
        <IconArrowLeft size={14} aria-hidden /> Management clients
      </Group>
    </Anchor>
  )

  if (!allowed) return <AdminsOnly slug={instance.slug} role={instance.role} />
  if (client.isPending) return <FullPageLoader label="Loading management client" />
  if (client.isError) {
    if (client.error instanceof ApiError && client.error.status === 404) {
      return (
        <Stack align="flex-start">
          {back}
          <Title order={1} fz="h2">
            Management client not found
          </Title>
          <Text c="dimmed">It may have been deleted.</Text>
          <Button component={Link} to={listPath}>
            Back to management clients
          </Button>
        </Stack>
      )
    }
    return <ErrorAlert error={client.error} title="Could not load the management client" onRetry={() => client.refetch()} />
  }

  const c = client.data
  const tokenEndpoint = catalogue.data?.token_endpoint
  return (
    <Stack gap="lg" maw={900}>
      <div>
        {back}
        <Group gap="sm" mt="xs" align="center">
          <Title order={1} fz="h2" style={{ wordBreak: 'break-word' }}>
            {c.name}
          </Title>
          {c.expired && (
            <Badge color="red" variant="light">
              Expired
            </Badge>
          )}
        </Group>
        {c.description && (
          <Text c="dimmed" size="sm">
            {c.description}
          </Text>
        )}
        <Group gap="lg" mt={4} wrap="wrap" style={{ rowGap: 4 }}>
          <Group gap={6} wrap="nowrap">
            <Text c="dimmed" size="sm">
              Client id
            </Text>
            <Text ff="monospace" size="sm">
              {c.client_id}
            </Text>
            <CopyIconButton value={c.client_id} label="Copy client id" size="sm" />
          </Group>
          <Text c="dimmed" size="sm">
            {c.last_used_at ? `Last used ${formatRelative(c.last_used_at)}` : 'Never used'}
          </Text>
          <Text c="dimmed" size="sm">
            Created {formatDateTime(c.created_at, instance.timeZone)}
          </Text>
          <Text c={c.expired ? 'red' : 'dimmed'} size="sm">
            {c.expires_at ? `${c.expired ? 'Expired' : 'Expires'} ${formatDateTime(c.expires_at, instance.timeZone)}` : 'Never expires'}
          </Text>
        </Group>
      </div>
      <ClientSettingsSection key={c.id} slug={instance.slug} client={c} timeZone={instance.timeZone} />
      <SecretsSection
        name={c.name}
        clientId={c.client_id}
        secrets={c.secrets}
        editable
        timeZone={instance.timeZone}
        rotate={rotate}
        newSecretSnippet={tokenEndpoint ? { label: 'token request', code: (secret) => tokenCurl(tokenEndpoint, c.client_id, secret) } : undefined}
      />
      {tokenEndpoint && (
        <Paper withBorder radius="md" p="lg" component="section" aria-labelledby="client-usage-heading">
          <Title order={2} fz="h4" id="client-usage-heading">
            Using this client
          </Title>
          <Text c="dimmed" size="sm" mb="md">
            Exchange the client id and secret for a token, then send it as <code>Authorization: Bearer …</code>. The secret
            below is a placeholder: use the one you copied.
          </Text>
          <TokenHelp tokenEndpoint={tokenEndpoint} slug={instance.slug} clientId={c.client_id} scopes={c.scopes} />
        </Paper>
      )}
      <DeleteManagementClient slug={instance.slug} client={c} />
    </Stack>
  )
}
