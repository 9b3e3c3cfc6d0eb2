import { Alert, Anchor, Button, Group, Paper, Stack, Switch, Text, Title } from '@mantine/core'
import { IconAlertTriangle, IconArrowLeft, IconPlugConnectedX, IconSend } from '@tabler/icons-react'
import { Link, useParams, useSearchParams } from 'react-router'
import { ErrorAlert } from '../../components/ErrorAlert'
import { FullPageLoader } from '../../components/FullPageLoader'
import { notifyError, notifySuccess } from '../../lib/forms'
import { usePageTitle } from '../../lib/pageTitle'
import { ApiError } from '../../lib/problem'
import { useSendTestEvent, useUpdateWebhook, useWebhook } from './api'
import { EndpointStatusBadge, EventTypeBadges } from './badges'
import { DeleteWebhook } from './DeleteWebhook'
import { DeliveriesSection } from './DeliveriesSection'
import { EndpointSettingsSection } from './EndpointSettingsSection'
import { can, DELIVERY_STATUSES, endpointLabel, formatDateTime, type DeliveryStatus, type InstanceRef, type Webhook } from './model'
import { ReadOnlyNotice } from './ReadOnlyNotice'
import { SigningSecretSection } from './SigningSecretSection'
import { VerifyHelp } from './VerifyHelp'

/** "Deliver events" (admins and owners) and "Send test event" (only while the endpoint is on). */
function DeliveryControls({ slug, endpoint }: { slug: string; endpoint: Webhook }) {
  const update = useUpdateWebhook(slug, endpoint.id)
  const test = useSendTestEvent(slug, endpoint.id)

  const toggle = (enabled: boolean) =>
    update.mutate(
      { enabled },
      {
        onSuccess: () => notifySuccess(enabled ? 'Endpoint turned on: events are delivered again' : 'Endpoint turned off: no events are delivered'),
        onError: (error) => notifyError(error, enabled ? 'Could not turn the endpoint on' : 'Could not turn the endpoint off'),
      },
    )

  const sendTest = () =>
    test.mutate(undefined, {
      onSuccess: () => notifySuccess('Test event queued: follow it in the deliveries below'),
      onError: (error) => notifyError(error, 'Could not send a test event'),
    })

  return (
    <Stack gap={4} align="flex-end">
      <Group gap="md" wrap="wrap">
        <Switch
          label="Deliver events"
          checked={endpoint.enabled}
          disabled={update.isPending}
          onChange={(e) => toggle(e.currentTarget.checked)}
          size="md"
        />
        <Button variant="default" leftSection={<IconSend size={16} aria-hidden />} onClick={sendTest} loading={test.isPending} disabled={!endpoint.enabled}>
          Send test event
        </Button>
      </Group>
      {!endpoint.enabled && (
        <Text size="xs" c="dimmed">
          Turn the endpoint on to send a test event.
        </Text>
      )}
    </Stack>
  )
}

/** What is wrong with the endpoint: turned off by Steward after failing for days, or failing now. */
function HealthAlert({ endpoint, timeZone, editable }: { endpoint: Webhook; timeZone: string; editable: boolean }) {
  if (!endpoint.enabled && endpoint.disabled_reason) {
    return (
      <Alert color="red" icon={<IconPlugConnectedX size={18} aria-hidden />} title="Steward turned this endpoint off">
        <Text size="sm">
          {endpoint.disabled_reason} {editable ? 'Fix the receiver, then turn “Deliver events” on again: that forgets the failures.' : ''}
        </Text>
      </Alert>
    )
  }
  if (endpoint.enabled && endpoint.failing_since) {
    return (
      <Alert color="orange" icon={<IconAlertTriangle size={18} aria-hidden />} title={`Failing since ${formatDateTime(endpoint.failing_since, timeZone)}`}>
        <Text size="sm">
          The endpoint’s deliveries are failing. Steward keeps retrying with backoff, and turns the endpoint off if it
          fails for days. The attempts in the deliveries below show your server’s answers.
        </Text>
      </Alert>
    )
  }
  return null
}

export function WebhookDetailPage({ instance }: { instance: InstanceRef }) {
  const { id = '' } = useParams()
  const editable = can.manageWebhooks(instance.role)
  const endpoint = useWebhook(instance.slug, id)
  const [params, setParams] = useSearchParams()
  usePageTitle(
    endpoint.data ? endpointLabel(endpoint.data.url) : endpoint.isError ? 'Webhook endpoint not found' : 'Webhook endpoint',
    'Webhooks',
    instance.name ?? instance.slug,
  )
  const listPath = `/i/${instance.slug}/settings/webhooks`
  const back = (
    <Anchor component={Link} to={listPath} size="sm">
      <Group gap={4} component="span">
        <IconArrowLeft size={14} aria-hidden /> Webhooks
      </Group>
    </Anchor>
  )

  const statusParam = params.get('status')
  const status = DELIVERY_STATUSES.includes(statusParam as DeliveryStatus) ? (statusParam as DeliveryStatus) : null
  const openId = params.get('delivery')
  const setParam = (key: string, value: string | null) =>
    setParams(
      (p) => {
        const next = new URLSearchParams(p)
        if (value) next.set(key, value)
        else next.delete(key)
        return next
      },
      { replace: key === 'status' },
    )

  if (endpoint.isPending) return <FullPageLoader label="Loading webhook endpoint" />
  if (endpoint.isError) {
    if (endpoint.error instanceof ApiError && endpoint.error.status === 404) {
      return (
        <Stack align="flex-start">
          {back}
          <Title order={1} fz="h2">
            Webhook endpoint not found
          </Title>
          <Text c="dimmed">It may have been deleted.</Text>
          <Button component={Link} to={listPath}>
            Back to webhooks
          </Button>
        </Stack>
      )
    }
    return <ErrorAlert error={endpoint.error} title="Could not load the webhook endpoint" onRetry={() => endpoint.refetch()} />
  }

  const w = endpoint.data
  return (
    <Stack gap="lg" maw={1100}>
      <div>
        {back}
        <Group justify="space-between" align="flex-start" mt="xs" wrap="wrap" gap="md">
          <Stack gap={4} style={{ minWidth: 0, flex: '1 1 420px' }}>
            <Title order={1} fz="h3" ff="monospace" style={{ wordBreak: 'break-all' }}>
              {w.url}
            </Title>
            {w.description && (
              <Text c="dimmed" size="sm">
                {w.description}
              </Text>
            )}
            <Group gap="lg" mt={4} wrap="wrap" align="flex-start" style={{ rowGap: 6 }}>
              <EndpointStatusBadge endpoint={w} timeZone={instance.timeZone} />
              <EventTypeBadges types={w.event_types} label="Event types of this endpoint" />
              <Text c="dimmed" size="sm">
                Added {formatDateTime(w.created_at, instance.timeZone)}
              </Text>
            </Group>
          </Stack>
          {editable && <DeliveryControls slug={instance.slug} endpoint={w} />}
        </Group>
      </div>

      {!editable && <ReadOnlyNotice role={instance.role} />}
      <HealthAlert endpoint={w} timeZone={instance.timeZone} editable={editable} />

      <DeliveriesSection
        slug={instance.slug}
        endpointId={w.id}
        timeZone={instance.timeZone}
        canResend={editable}
        status={status}
        onStatusChange={(s) => setParam('status', s)}
        openId={openId}
        onOpen={(deliveryId) => setParam('delivery', deliveryId)}
      />
      <EndpointSettingsSection key={w.id} slug={instance.slug} endpoint={w} editable={editable} />
      <SigningSecretSection slug={instance.slug} endpoint={w} fetchedAt={endpoint.dataUpdatedAt} editable={editable} timeZone={instance.timeZone} />
      <Paper withBorder radius="md" p="lg" component="section" aria-labelledby="endpoint-verify-heading">
        <Title order={2} fz="h4" id="endpoint-verify-heading" mb="xs">
          Verifying deliveries
        </Title>
        <VerifyHelp url={w.url} />
      </Paper>
      {editable && <DeleteWebhook slug={instance.slug} endpoint={w} />}
    </Stack>
  )
}
