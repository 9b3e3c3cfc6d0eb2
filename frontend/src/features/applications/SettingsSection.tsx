import { Button, Group, Paper, Stack, Switch, Text, Textarea, TextInput, Title } from '@mantine/core'
import { useForm } from '@mantine/form'
import { useEffect } from 'react'
import { applyApiError, notifySuccess } from '../../lib/forms'
import { validateRequired } from '../../lib/validation'
import { useUnsavedChangesGuard } from '../../lib/useUnsavedChangesGuard'
import { useUpdateApplication, type UpdateApplicationInput } from './api'
import { UrlListField } from './listFields'
import { cleanUrlLists } from './urlLists'
import type { Application } from './model'

interface SettingsValues {
  name: string
  description: string
  enabled: boolean
  allowed_origins: string[]
  redirect_uris: string[]
  [key: string]: unknown
}

function valuesOf(app: Application): SettingsValues {
  return {
    name: app.name,
    description: app.description,
    enabled: app.enabled,
    allowed_origins: app.allowed_origins.length ? app.allowed_origins : [''],
    redirect_uris: app.redirect_uris.length ? app.redirect_uris : [''],
  }
}

export function SettingsSection({ slug, app, editable }: { slug: string; app: Application; editable: boolean }) {
  const update = useUpdateApplication(slug, app.id)
  const form = useForm<SettingsValues>({
    initialValues: valuesOf(app),
    validate: { name: validateRequired('Name') },
  })

  // Follow the server's copy when it changes (a refetch, another tab) unless the user is editing.
  useEffect(() => {
    if (!form.isDirty()) {
      form.setInitialValues(valuesOf(app))
      form.setValues(valuesOf(app))
    }
    // `form` is a new object on every render; only the server's copy should re-run this.
    // oxlint-disable-next-line react-hooks/exhaustive-deps
  }, [app.updated_at])

  const leaveGuard = useUnsavedChangesGuard(editable && form.isDirty() && !update.isPending, 'The application settings have unsaved changes; they will be lost.')

  const submit = form.onSubmit((values) => {
    const body: UpdateApplicationInput = {
      name: values.name.trim(),
      description: values.description.trim(),
      enabled: values.enabled,
    }
    if (app.kind === 'frontend') Object.assign(body, cleanUrlLists(form))
    update.mutate(body, {
      onSuccess: (saved) => {
        form.setInitialValues(valuesOf(saved))
        form.setValues(valuesOf(saved))
        notifySuccess('Application saved')
      },
      onError: (error) => applyApiError(form, error, { title: 'Could not save the application' }),
    })
  })

  return (
    <Paper withBorder radius="md" p="lg" component="section" aria-labelledby="app-settings-heading">
      {leaveGuard}
      <Title order={2} fz="h4" id="app-settings-heading">
        Settings
      </Title>
      <Text c="dimmed" size="sm" mb="md">
        {editable ? 'The kind and the client id never change.' : 'Viewers can read the settings but not change them.'}
      </Text>
      <form onSubmit={submit} noValidate aria-label="Application settings">
        <Stack maw={620}>
          <TextInput label="Name" required disabled={!editable} {...form.getInputProps('name')} />
          <Textarea label="Description" autosize minRows={2} maxRows={6} disabled={!editable} {...form.getInputProps('description')} />
          <Switch
            label="Enabled"
            description="A disabled application is refused by the public API (its tokens stop working too)."
            disabled={!editable}
            {...form.getInputProps('enabled', { type: 'checkbox' })}
          />
          {app.kind === 'frontend' && (
            <>
              <UrlListField form={form} field="allowed_origins" disabled={!editable} />
              <UrlListField form={form} field="redirect_uris" disabled={!editable} />
            </>
          )}
          {editable && (
            <Group>
              <Button type="submit" loading={update.isPending} disabled={!form.isDirty()}>
                Save changes
              </Button>
            </Group>
          )}
        </Stack>
      </form>
    </Paper>
  )
}
