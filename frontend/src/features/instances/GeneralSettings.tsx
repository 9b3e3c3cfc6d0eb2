import { Button, Group, Paper, Stack, Text, TextInput, Title } from '@mantine/core'
import { useForm } from '@mantine/form'
import { useEffect } from 'react'
import { applyApiError, notifySuccess } from '../../lib/forms'
import { useLeaveGuard } from '../../lib/useLeaveGuard'
import { validateRequired } from '../../lib/validation'
import { useUpdateInstance } from './api'
import { can, type Instance } from './roles'
import { TimeZoneSelect } from './TimeZoneSelect'

export function GeneralSettings({ instance }: { instance: Instance }) {
  const update = useUpdateInstance(instance.slug)
  const editable = can.editInstance(instance.role)
  const form = useForm({
    initialValues: { name: instance.name, time_zone: instance.time_zone },
    validate: { name: validateRequired('Name'), time_zone: (v: string) => (v ? null : 'Choose a time zone') },
  })

  // Follow the server's copy when it changes (another tab, a refetch) unless the user is editing.
  useEffect(() => {
    if (!form.isDirty()) {
      form.setInitialValues({ name: instance.name, time_zone: instance.time_zone })
      form.setValues({ name: instance.name, time_zone: instance.time_zone })
    }
    // `form` is a new object on every render; only the server's values should re-run this.
    // oxlint-disable-next-line react-hooks/exhaustive-deps
  }, [instance.name, instance.time_zone])

  const leaveGuard = useLeaveGuard(editable && form.isDirty() && !update.isPending, 'The instance settings have unsaved changes; they will be lost.')

  const submit = form.onSubmit((values) => {
    const body: { name?: string; time_zone?: string } = {}
    if (values.name.trim() !== instance.name) body.name = values.name.trim()
    if (values.time_zone !== instance.time_zone) body.time_zone = values.time_zone
    update.mutate(body, {
      onSuccess: (saved) => {
        form.setInitialValues({ name: saved.name, time_zone: saved.time_zone })
        form.setValues({ name: saved.name, time_zone: saved.time_zone })
        notifySuccess('Instance settings saved')
      },
      onError: (error) => applyApiError(form, error),
    })
  })

  return (
    <Paper withBorder radius="md" p="lg" component="section" aria-labelledby="general-heading">
      {leaveGuard}
      <Title order={2} fz="h4" id="general-heading">
        General
      </Title>
      <Text c="dimmed" size="sm" mb="md">
        {editable ? 'The name shown in the console and the zone used for times.' : 'Only owners and admins can change these.'}
      </Text>
      <form onSubmit={submit} noValidate>
        <Stack maw={480}>
          <TextInput label="Name" required disabled={!editable} {...form.getInputProps('name')} />
          <TextInput label="Slug" value={instance.slug} readOnly disabled description="The slug cannot be changed." />
          <TimeZoneSelect required disabled={!editable} {...form.getInputProps('time_zone')} />
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
