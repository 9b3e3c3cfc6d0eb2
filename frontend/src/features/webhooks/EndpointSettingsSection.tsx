import { Button, Group, Paper, Stack, Text, Title } from '@mantine/core'
import { useForm } from '@mantine/form'
import { useEffect } from 'react'
import { ErrorAlert } from '../../components/ErrorAlert'
import { notifySuccess } from '../../lib/forms'
import { useLeaveGuard } from '../../lib/useLeaveGuard'
import { useEventTypes, useUpdateWebhook } from './api'
import { EventTypePicker, UrlAndDescription } from './EndpointFields'
import { endpointValidation, placeEndpointErrors, valuesOf, type EndpointForm, type EndpointValues } from './endpointForm'
import { sortEventTypes, type Webhook } from './model'

/**
 * The endpoint's URL, description and event types: editable by admins and owners, shown (disabled)
 * to everyone else. Turning the endpoint on or off is a switch of its own, in the page's header.
 */
export function EndpointSettingsSection({ slug, endpoint, editable }: { slug: string; endpoint: Webhook; editable: boolean }) {
  const update = useUpdateWebhook(slug, endpoint.id)
  const catalogue = useEventTypes()
  const form: EndpointForm = useForm<EndpointValues>({ initialValues: valuesOf(endpoint), validate: endpointValidation })

  // Follow the server's copy when it changes (a refetch, the switch, another tab) unless the user is editing.
  useEffect(() => {
    if (!form.isDirty()) {
      form.setInitialValues(valuesOf(endpoint))
      form.setValues(valuesOf(endpoint))
    }
    // `form` is a new object on every render; only the server's copy should re-run this.
    // oxlint-disable-next-line react-hooks/exhaustive-deps
  }, [endpoint.updated_at])

  const leaveGuard = useLeaveGuard(form.isDirty() && !update.isPending, 'The webhook endpoint’s settings have unsaved changes; they will be lost.')

  const submit = form.onSubmit((values) => {
    update.mutate(
      {
        url: values.url.trim(),
        description: values.description.trim(),
        event_types: sortEventTypes(values.event_types, catalogue.data?.items ?? []),
      },
      {
        onSuccess: (saved) => {
          form.setInitialValues(valuesOf(saved))
          form.setValues(valuesOf(saved))
          notifySuccess('Webhook endpoint saved')
        },
        onError: (error) => placeEndpointErrors(form, error, { title: 'Could not save the webhook endpoint' }),
      },
    )
  })

  return (
    <Paper withBorder radius="md" p="lg" component="section" aria-labelledby="endpoint-settings-heading">
      {leaveGuard}
      <Title order={2} fz="h4" id="endpoint-settings-heading">
        Settings
      </Title>
      <Text c="dimmed" size="sm" mb="md">
        A new URL applies at once, to deliveries already queued too; the event types apply to events from now on.
      </Text>
      <form onSubmit={submit} noValidate aria-label="Webhook endpoint settings">
        <Stack>
          <Stack maw={680}>
            <UrlAndDescription form={form} disabled={!editable} />
          </Stack>
          {catalogue.isError ? (
            <ErrorAlert error={catalogue.error} title="Could not load the event types" onRetry={() => catalogue.refetch()} />
          ) : catalogue.data ? (
            <EventTypePicker form={form} catalogue={catalogue.data.items} disabled={!editable} />
          ) : (
            <Text size="sm" c="dimmed" role="status">
              Loading the event types…
            </Text>
          )}
          {editable && (
            <Group>
              <Button type="submit" loading={update.isPending} disabled={!form.isDirty() || !catalogue.data}>
                Save changes
              </Button>
              {form.isDirty() && (
                <Button variant="subtle" color="gray" onClick={() => form.reset()} disabled={update.isPending}>
                  Discard changes
                </Button>
              )}
            </Group>
          )}
        </Stack>
      </form>
    </Paper>
  )
}
