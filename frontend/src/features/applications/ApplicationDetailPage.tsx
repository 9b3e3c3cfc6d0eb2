import { Anchor, Badge, Button, Group, Stack, Text, Title } from '@mantine/core'
import { IconArrowLeft } from '@tabler/icons-react'
import { Link, useParams } from 'react-router'
import { CopyIconButton } from '../../components/CopyIconButton'
import { ErrorAlert } from '../../components/ErrorAlert'
import { FullPageLoader } from '../../components/FullPageLoader'
import { ApiError } from '../../lib/problem'
import { usePageTitle } from '../../lib/pageTitle'
import { useApplication } from './api'
import { DeleteApplication } from './DeleteApplication'
import { can, formatRelative, KIND_COLORS, KIND_LABELS, type InstanceRef } from './model'
import { QuickstartSection } from './QuickstartSection'
import { SecretsSection } from './SecretsSection'
import { SettingsSection } from './SettingsSection'

export function ApplicationDetailPage({ instance }: { instance: InstanceRef }) {
  const { id = '' } = useParams()
  const app = useApplication(instance.slug, id)
  const editable = can.manageApps(instance.role)
  usePageTitle(app.data?.name ?? (app.isError ? 'Application not found' : 'Application'), 'Applications', instance.name ?? instance.slug)
  const back = (
    <Anchor component={Link} to={`/i/${instance.slug}/applications`} size="sm">
      <Group gap={4} component="span">
        <IconArrowLeft size={14} aria-hidden /> Applications
      </Group>
    </Anchor>
  )

  if (app.isPending) return <FullPageLoader label="Loading application" />
  if (app.isError) {
    if (app.error instanceof ApiError && app.error.status === 404) {
      return (
        <Stack align="flex-start">
          {back}
          <Title order={1} fz="h2">
            Application not found
          </Title>
          <Text c="dimmed">It may have been deleted.</Text>
          <Button component={Link} to={`/i/${instance.slug}/applications`}>
            Back to applications
          </Button>
        </Stack>
      )
    }
    return <ErrorAlert error={app.error} title="Could not load the application" onRetry={() => app.refetch()} />
  }

  const a = app.data
  return (
    <Stack gap="lg" maw={900}>
      <div>
        {back}
        <Group gap="sm" mt="xs" align="center">
          <Title order={1} fz="h2">
            {a.name}
          </Title>
          <Badge variant="light" color={KIND_COLORS[a.kind]}>
            {KIND_LABELS[a.kind]}
          </Badge>
          {!a.enabled && (
            <Badge variant="outline" color="gray">
              Disabled
            </Badge>
          )}
        </Group>
        <Group gap={6} mt={4} wrap="wrap">
          <Text c="dimmed" size="sm">
            Client id
          </Text>
          <Text ff="monospace" size="sm">
            {a.client_id}
          </Text>
          <CopyIconButton value={a.client_id} label="Copy client id" size="sm" />
          <Text c="dimmed" size="sm" ml="md">
            {a.last_used_at ? `Last used ${formatRelative(a.last_used_at)}` : 'Never used'}
          </Text>
        </Group>
      </div>
      <SettingsSection key={a.id} slug={instance.slug} app={a} editable={editable} />
      {a.kind === 'backend' && <SecretsSection slug={instance.slug} app={a} editable={editable} timeZone={instance.timeZone} />}
      <QuickstartSection slug={instance.slug} id={a.id} />
      {editable && <DeleteApplication slug={instance.slug} app={a} />}
    </Stack>
  )
}
