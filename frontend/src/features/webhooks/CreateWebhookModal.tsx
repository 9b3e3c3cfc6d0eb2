import { Alert, Button, Checkbox, Group, Modal, Stack, Text } from '@mantine/core'
import { useForm } from '@mantine/form'
import { useState } from 'react'
import { ErrorAlert } from '../../components/ErrorAlert'
import { useCreateWebhook, useEventTypes } from './api'
import { EventTypePicker, UrlAndDescription } from './EndpointFields'
import { emptyValues, endpointValidation, placeEndpointErrors, type EndpointValues } from './endpointForm'
import { sortEventTypes, type CreatedWebhook } from './model'

/** The "Add endpoint" form, in a modal. Calls `onCreated` with the server's answer (which carries the one-time secret). */
export function CreateWebhookModal({
  slug,
  opened,
  onClose,
  onCreated,
}: {
  slug: string
  opened: boolean
  onClose: () => void
  onCreated: (created: CreatedWebhook) => void
}) {
  const create = useCreateWebhook(slug)
  const catalogue = useEventTypes()
  const [formError, setFormError] = useState<string | null>(null)
  const form = useForm<EndpointValues>({ initialValues: emptyValues(), validate: endpointValidation })

  const reset = () => {
    form.setValues(emptyValues())
    form.resetDirty()
    form.clearErrors()
    setFormError(null)
  }

  const close = () => {
    if (create.isPending) return
    reset()
    onClose()
  }

  const submit = form.onSubmit((values) => {
    setFormError(null)
    const types = sortEventTypes(values.event_types, catalogue.data?.items ?? [])
    create.mutate(
      {
        url: values.url.trim(),
        description: values.description.trim() || undefined,
        // None chosen: every type.
        event_types: types.length > 0 ? types : undefined,
        enabled: values.enabled,
      },
      {
        onSuccess: (created) => {
          reset()
          onCreated(created)
        },
        onError: (error) => setFormError(placeEndpointErrors(form, error, { notify: false })),
      },
    )
  })

  return (
    <Modal opened={opened} onClose={close} title="Add webhook endpoint" size="xl" centered>
      <form onSubmit={submit} noValidate aria-label="Add webhook endpoint">
        <Stack>
          {formError && (
            <Alert color="red" role="alert" title="Could not add the endpoint">
              {formError}
            </Alert>
          )}
          <UrlAndDescription form={form} focusFirst />
          {catalogue.isError ? (
            <ErrorAlert error={catalogue.error} title="Could not load the event types" onRetry={() => catalogue.refetch()} />
          ) : catalogue.data ? (
            <EventTypePicker form={form} catalogue={catalogue.data.items} />
          ) : (
            <Text size="sm" c="dimmed" role="status">
              Loading the event types…
            </Text>
          )}
          <Checkbox
            label="Enabled"
            description="Deliver events from now on. Leave it off to add the endpoint now and turn it on later."
            {...form.getInputProps('enabled', { type: 'checkbox' })}
          />
          <Text size="sm" c="dimmed">
            The signing secret is shown once, right after the endpoint is added.
          </Text>
          <Group justify="flex-end">
            <Button variant="default" onClick={close} disabled={create.isPending}>
              Cancel
            </Button>
            <Button type="submit" loading={create.isPending} disabled={!catalogue.data}>
              Add endpoint
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  )
}
