import { Button, Group, Paper, Stack, Text, Textarea, TextInput, Title } from '@mantine/core'
import { useForm } from '@mantine/form'
import { useEffect } from 'react'
import { ErrorAlert } from '../../components/ErrorAlert'
import { notifySuccess } from '../../lib/forms'
import { useLeaveGuard } from '../../lib/useLeaveGuard'
import { useManagementScopes, useUpdateManagementClient, type UpdateManagementClientInput } from './api'
import { clientValidation, placeClientErrors, valuesOf, type ClientForm, type ClientValues } from './clientForm'
import { ExpiryField, ScopePicker } from './ClientFields'
import { expiryInstant, sortScopes, type ManagementClient } from './model'

function expiryChanged(values: ClientValues, initial: ClientValues): boolean {
  return values.expires !== initial.expires || (values.expires && values.expires_at !== initial.expires_at)
}

/** The client's name, description, scopes and expiry, editable (admins and owners only reach this page). */
export function ClientSettingsSection({ slug, client, timeZone }: { slug: string; client: ManagementClient; timeZone: string }) {
  const update = useUpdateManagementClient(slug, client.id)
  const catalogue = useManagementScopes()
  const form: ClientForm = useForm<ClientValues>({
    initialValues: valuesOf(client, timeZone),
    // An expiry left as it was is not checked again (it may be past: the client has expired).
    validate: clientValidation(timeZone, (values: ClientValues): boolean => expiryChanged(values, form.getInitialValues())),
  })

  // Follow the server's copy when it changes (a refetch, another tab) unless the user is editing.
  useEffect(() => {
    if (!form.isDirty()) {
      form.setInitialValues(valuesOf(client, timeZone))
      form.setValues(valuesOf(client, timeZone))
    }
    // `form` is a new object on every render; only the server's copy should re-run this.
    // oxlint-disable-next-line react-hooks/exhaustive-deps
  }, [client.updated_at])

  const leaveGuard = useLeaveGuard(form.isDirty() && !update.isPending, 'The management client’s settings have unsaved changes; they will be lost.')

  const submit = form.onSubmit((values) => {
    const body: UpdateManagementClientInput = {
      name: values.name.trim(),
      description: values.description.trim(),
      scopes: sortScopes(values.scopes, catalogue.data?.items ?? []),
    }
    if (expiryChanged(values, form.getInitialValues())) body.expires_at = values.expires ? expiryInstant(values.expires_at, timeZone) : null
    update.mutate(body, {
      onSuccess: (saved) => {
        form.setInitialValues(valuesOf(saved, timeZone))
        form.setValues(valuesOf(saved, timeZone))
        notifySuccess('Management client saved')
      },
      onError: (error) => placeClientErrors(form, error, { title: 'Could not save the management client' }),
    })
  })

  return (
    <Paper withBorder radius="md" p="lg" component="section" aria-labelledby="client-settings-heading">
      {leaveGuard}
      <Title order={2} fz="h4" id="client-settings-heading">
        Settings
      </Title>
      <Text c="dimmed" size="sm" mb="md">
        The client id never changes. Fewer scopes or an earlier expiry apply at once, to tokens already issued too.
      </Text>
      <form onSubmit={submit} noValidate aria-label="Management client settings">
        <Stack>
          <Stack maw={620}>
            <TextInput label="Name" required {...form.getInputProps('name')} />
            <Textarea label="Description" autosize minRows={2} maxRows={6} {...form.getInputProps('description')} />
          </Stack>
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
        </Stack>
      </form>
    </Paper>
  )
}
