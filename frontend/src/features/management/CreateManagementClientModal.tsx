import { Alert, Button, Group, Modal, Stack, Text, Textarea, TextInput } from '@mantine/core'
import { useForm } from '@mantine/form'
import { useState } from 'react'
import { ErrorAlert } from '../../components/ErrorAlert'
import { useCreateManagementClient, useManagementScopes } from './api'
import { clientValidation, emptyValues, placeClientErrors, type ClientValues } from './clientForm'
import { ExpiryField, ScopePicker } from './ClientFields'
import { expiryInstant, sortScopes, type CreatedManagementClient } from './model'

/** The "New management client" form, in a modal. Calls `onCreated` with the server's answer (which carries the one-time secret). */
export function CreateManagementClientModal({
  slug,
  timeZone,
  opened,
  onClose,
  onCreated,
}: {
  slug: string
  timeZone: string
  opened: boolean
  onClose: () => void
  onCreated: (created: CreatedManagementClient) => void
}) {
  const create = useCreateManagementClient(slug)
  const catalogue = useManagementScopes()
  const [formError, setFormError] = useState<string | null>(null)
  const form = useForm<ClientValues>({ initialValues: emptyValues(), validate: clientValidation(timeZone) })

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
    create.mutate(
      {
        name: values.name.trim(),
        description: values.description.trim() || undefined,
        scopes: sortScopes(values.scopes, catalogue.data?.items ?? []),
        expires_at: values.expires ? expiryInstant(values.expires_at, timeZone) : undefined,
      },
      {
        onSuccess: (created) => {
          reset()
          onCreated(created)
        },
        onError: (error) => setFormError(placeClientErrors(form, error, { notify: false })),
      },
    )
  })

  return (
    <Modal opened={opened} onClose={close} title="New management client" size="xl" centered>
      <form onSubmit={submit} noValidate aria-label="New management client">
        <Stack>
          {formError && (
            <Alert color="red" role="alert" title="Could not create the management client">
              {formError}
            </Alert>
          )}
          <TextInput label="Name" placeholder="CI deploy bot" required data-autofocus {...form.getInputProps('name')} />
          <Textarea label="Description" autosize minRows={2} maxRows={5} {...form.getInputProps('description')} />
          {catalogue.isError ? (
            <ErrorAlert error={catalogue.error} title="Could not load the scopes" onRetry={() => catalogue.refetch()} />
          ) : catalogue.data ? (
            <ScopePicker form={form} catalogue={catalogue.data.items} />
          ) : (
            <Text size="sm" c="dimmed" role="status">
              Loading the scopes…
            </Text>
          )}
          <ExpiryField form={form} timeZone={timeZone} />
          <Text size="sm" c="dimmed">
            The client secret is shown once, right after creation.
          </Text>
          <Group justify="flex-end">
            <Button variant="default" onClick={close} disabled={create.isPending}>
              Cancel
            </Button>
            <Button type="submit" loading={create.isPending} disabled={!catalogue.data}>
              Create client
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  )
}
