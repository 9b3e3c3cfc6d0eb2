import { Alert, Button, Group, Loader, Paper, Skeleton, Stack, Switch, Table, Text, Title, VisuallyHidden } from '@mantine/core'
import { IconLock, IconPlus, IconSettings } from '@tabler/icons-react'
import { useState } from 'react'
import { ErrorAlert } from '../../components/ErrorAlert'
import { ProviderIcon } from '../../components/ProviderIcon'
import { notifyError, notifySuccess } from '../../lib/forms'
import { ApiError } from '../../lib/problem'
import { AddOidcProviderModal } from './AddOidcProviderModal'
import { useIdentityProviders, useSaveProvider } from './api'
import { can, type IdentityProvider, type InstanceRef } from './model'
import { ProviderDrawer, type ProviderDrawerTarget } from './ProviderDrawer'
import { kindLine, missingCredentials, providerStatus } from './providerForm'

/** The most OpenID Connect providers an instance may have (the server's limit). */
const MAX_OIDC = 20

const TONE_COLORS = { on: 'teal', off: 'dimmed', needs: 'orange' } as const

function ProviderRow({
  provider,
  editable,
  saving,
  onToggle,
  onConfigure,
}: {
  provider: IdentityProvider
  editable: boolean
  saving: boolean
  onToggle: (enabled: boolean) => void
  onConfigure: () => void
}) {
  const status = providerStatus(provider)
  return (
    <Table.Tr data-provider={provider.key}>
      <Table.Td>
        <Group gap="sm" wrap="nowrap">
          <ProviderIcon provider={provider.kind} />
          <div>
            <Text size="sm" fw={600}>
              {provider.display_name}
            </Text>
            <Text size="xs" c="dimmed">
              {kindLine(provider)}
            </Text>
          </div>
        </Group>
      </Table.Td>
      <Table.Td>
        <Text size="sm" c={TONE_COLORS[status.tone]} data-testid={`status-${provider.key}`}>
          {status.text}
        </Text>
      </Table.Td>
      <Table.Td>
        <Group gap={6} wrap="nowrap">
          <Switch
            checked={provider.enabled}
            disabled={!editable || saving}
            aria-label={`${provider.display_name} enabled`}
            onChange={(e) => onToggle(e.currentTarget.checked)}
          />
          {saving && <Loader size={14} aria-label={`Saving ${provider.display_name}`} />}
        </Group>
      </Table.Td>
      <Table.Td ta="right">
        <Button
          size="xs"
          variant="default"
          leftSection={<IconSettings size={14} aria-hidden />}
          aria-label={`${editable ? 'Configure' : 'View'} ${provider.display_name}`}
          onClick={onConfigure}
        >
          {editable ? 'Configure' : 'View'}
        </Button>
      </Table.Td>
    </Table.Tr>
  )
}

function ProvidersList({ instance, providers }: { instance: InstanceRef; providers: IdentityProvider[] }) {
  const editable = can.editProviders(instance.role)
  const save = useSaveProvider(instance.slug)
  const [drawer, setDrawer] = useState<(ProviderDrawerTarget & { id: number }) | null>(null)
  const [drawerOpened, setDrawerOpened] = useState(false)
  const [adding, setAdding] = useState(false)
  const savingKey = save.isPending ? save.variables?.key : undefined
  const oidcCount = providers.filter((p) => p.kind === 'oidc').length

  const open = (target: ProviderDrawerTarget) => {
    setDrawer({ ...target, id: Date.now() })
    setDrawerOpened(true)
  }

  const toggle = (provider: IdentityProvider, enabled: boolean) => {
    // An external provider without its credentials cannot be enabled: ask for them instead.
    if (enabled && missingCredentials(provider)) {
      open({ provider, enabled: true })
      return
    }
    save.mutate(
      { key: provider.key, body: { enabled } },
      {
        onSuccess: (saved) => notifySuccess(`${saved.display_name} ${saved.enabled ? 'enabled' : 'disabled'}`),
        onError: (error) => {
          // Refused for a field (credentials, the discovery document...): show it where it can be fixed.
          if (error instanceof ApiError && error.fieldErrors.length > 0) open({ provider, enabled, error })
          else notifyError(error, `Could not ${enabled ? 'enable' : 'disable'} ${provider.display_name}`)
        },
      },
    )
  }

  return (
    <Paper withBorder radius="md" p="lg" component="section" aria-labelledby="providers-heading">
      <Group justify="space-between" align="flex-start" gap="sm" mb="sm" wrap="wrap">
        <div>
          <Title order={2} fz="h4" id="providers-heading">
            Sign-in methods
          </Title>
          <Text c="dimmed" size="sm" maw={620}>
            How end users register and sign in to your applications. Social and OpenID Connect providers need the client id
            and secret you get when you register this instance with them.
          </Text>
        </div>
        {editable && (
          <Button
            leftSection={<IconPlus size={16} aria-hidden />}
            onClick={() => setAdding(true)}
            disabled={oidcCount >= MAX_OIDC}
            title={oidcCount >= MAX_OIDC ? `At most ${MAX_OIDC} OpenID Connect providers` : undefined}
          >
            Add OpenID Connect provider
          </Button>
        )}
      </Group>
      {!editable && (
        <Alert variant="light" color="gray" icon={<IconLock size={18} aria-hidden />} mb="md" p="sm">
          Your role on this instance is {instance.role}: only admins and owners can change identity providers.
        </Alert>
      )}
      <Table.ScrollContainer minWidth={620}>
        <Table verticalSpacing="sm" aria-label="Identity providers">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Provider</Table.Th>
              <Table.Th>Status</Table.Th>
              <Table.Th>Enabled</Table.Th>
              <Table.Th>
                <VisuallyHidden>Actions</VisuallyHidden>
              </Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {providers.map((p) => (
              <ProviderRow
                key={p.key}
                provider={p}
                editable={editable}
                saving={savingKey === p.key}
                onToggle={(enabled) => toggle(p, enabled)}
                onConfigure={() => open({ provider: p })}
              />
            ))}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
      <ProviderDrawer instance={instance} target={drawer} opened={drawerOpened} editable={editable} onClose={() => setDrawerOpened(false)} />
      {editable && (
        <AddOidcProviderModal
          slug={instance.slug}
          opened={adding}
          existing={providers.map((p) => p.key)}
          onClose={() => setAdding(false)}
          onAdded={(added) => {
            setAdding(false)
            // Show the callback URL to register at the issuer.
            open({ provider: added })
          }}
        />
      )}
    </Paper>
  )
}

export function ProvidersTab({ instance }: { instance: InstanceRef }) {
  const providers = useIdentityProviders(instance.slug)
  if (providers.isError) {
    const forbidden = providers.error instanceof ApiError && providers.error.status === 403
    return (
      <ErrorAlert
        error={providers.error}
        title={forbidden ? 'Not allowed' : 'Could not load the identity providers'}
        onRetry={forbidden ? undefined : () => providers.refetch()}
      />
    )
  }
  if (providers.isPending) return <Skeleton h={420} radius="md" maw={960} />
  return (
    <Stack maw={960}>
      <ProvidersList key={instance.slug} instance={instance} providers={providers.data.items} />
    </Stack>
  )
}
