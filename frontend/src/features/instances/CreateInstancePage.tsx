import { Alert, Button, Group, Paper, Stack, Text, TextInput, Title } from '@mantine/core'
import { useForm } from '@mantine/form'
import { useState } from 'react'
import { useNavigate } from 'react-router'
import { applyApiError, notifySuccess } from '../../lib/forms'
import { usePageTitle } from '../../lib/pageTitle'
import { useLeaveGuard } from '../../lib/useLeaveGuard'
import { LEAVE_WITHOUT_ASKING } from '../../lib/useUnsavedChangesGuard'
import { validateRequired } from '../../lib/validation'
import { useCreateInstance, useInstances } from './api'
import { slugify, validateSlug } from './slug'
import { browserTimeZone } from './timeZones'
import { TimeZoneSelect } from './TimeZoneSelect'

export function CreateInstancePage() {
  usePageTitle('New instance')
  const navigate = useNavigate()
  const instances = useInstances()
  const create = useCreateInstance()
  const [slugTouched, setSlugTouched] = useState(false)
  const [formError, setFormError] = useState<string | null>(null)
  const first = instances.isSuccess && instances.data.length === 0

  const form = useForm({
    initialValues: { name: '', slug: '', time_zone: browserTimeZone() },
    validate: {
      name: validateRequired('Name'),
      slug: validateSlug,
      time_zone: (v: string) => (v ? null : 'Choose a time zone'),
    },
  })

  const leaveGuard = useLeaveGuard(form.isDirty() && !create.isPending, 'The new instance is not created yet; what you typed will be lost.')

  const submit = form.onSubmit((values) => {
    setFormError(null)
    create.mutate(
      { name: values.name.trim(), slug: values.slug, time_zone: values.time_zone },
      {
        onSuccess: (instance) => {
          notifySuccess(`Instance “${instance.name}” created`)
          navigate(`/i/${instance.slug}`, { state: LEAVE_WITHOUT_ASKING })
        },
        onError: (error) => setFormError(applyApiError(form, error, { notify: false })),
      },
    )
  })

  const nameProps = form.getInputProps('name')

  return (
    <Stack maw={560} gap="lg">
      {leaveGuard}
      <div>
        <Title order={1} fz="h2">
          {first ? 'Create your first instance' : 'New instance'}
        </Title>
        <Text c="dimmed" mt={4}>
          {first
            ? 'An instance holds its own users, applications and configuration. Start with one — say “production” or “sandbox” — and add more later.'
            : 'An instance holds its own users, applications and configuration.'}
        </Text>
      </div>
      <Paper withBorder radius="md" p="lg">
        <form onSubmit={submit} noValidate>
          <Stack>
            {formError && (
              <Alert color="red" role="alert">
                {formError}
              </Alert>
            )}
            <TextInput
              label="Name"
              placeholder="Production"
              required
              data-autofocus
              {...nameProps}
              onChange={(event) => {
                nameProps.onChange(event)
                if (!slugTouched) form.setFieldValue('slug', slugify(event.currentTarget.value))
              }}
            />
            <TextInput
              label="Slug"
              description="Used in URLs and API paths. Lowercase letters, digits and hyphens; cannot be changed later."
              placeholder="production"
              required
              autoCapitalize="none"
              spellCheck={false}
              {...form.getInputProps('slug')}
              onChange={(event) => {
                setSlugTouched(true)
                form.setFieldValue('slug', event.currentTarget.value.toLowerCase())
              }}
            />
            <TimeZoneSelect
              description="Dashboards and reports show times in this zone."
              required
              {...form.getInputProps('time_zone')}
            />
            <Group justify="flex-end" mt="sm">
              {!first && (
                <Button variant="default" onClick={() => navigate(-1)}>
                  Cancel
                </Button>
              )}
              <Button type="submit" loading={create.isPending}>
                Create instance
              </Button>
            </Group>
          </Stack>
        </form>
      </Paper>
    </Stack>
  )
}
