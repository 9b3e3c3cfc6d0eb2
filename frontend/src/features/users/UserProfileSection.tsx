import { Button, Group, Paper, Stack, Text, Title } from '@mantine/core'
import { useForm } from '@mantine/form'
import { useEffect } from 'react'
import { applyApiError, notifySuccess } from '../../lib/forms'
import { useUnsavedChangesGuard } from '../../lib/useUnsavedChangesGuard'
import { useUpdateUser, type UpdateUserInput } from './api'
import { formatMetadata, parseMetadata, userFormValidation, type User, type UserFormValues } from './model'
import { UserFields } from './UserFields'

function valuesOf(user: User): UserFormValues {
  return {
    email: user.email ?? '',
    given_name: user.given_name,
    family_name: user.family_name,
    name: user.name,
    password: '',
    email_verified: user.email_verified,
    blocked: user.blocked,
    metadata: formatMetadata(user.metadata),
  }
}

/** The user's fields in one form; only the changed ones are sent. */
export function UserProfileSection({ slug, user, editable }: { slug: string; user: User; editable: boolean }) {
  const update = useUpdateUser(slug, user.id)
  const form = useForm<UserFormValues>({
    initialValues: valuesOf(user),
    validate: {
      ...userFormValidation,
      // A user without an address (a guest, an X account) may stay without one.
      email: (value: string) => (!user.email && value.trim() === '' ? null : userFormValidation.email(value)),
    },
    validateInputOnBlur: ['metadata'],
  })

  // Follow the server's copy when it changes (block/unblock, a refetch) unless the user is editing.
  useEffect(() => {
    if (!form.isDirty()) {
      form.setInitialValues(valuesOf(user))
      form.setValues(valuesOf(user))
    }
    // `form` is a new object on every render; only the server's copy should re-run this.
    // oxlint-disable-next-line react-hooks/exhaustive-deps
  }, [user.updated_at])

  const leaveGuard = useUnsavedChangesGuard(editable && form.isDirty() && !update.isPending, 'The user has unsaved changes; they will be lost.')

  const submit = form.onSubmit((values) => {
    const body: UpdateUserInput = {}
    if (form.isDirty('email')) body.email = values.email.trim()
    if (form.isDirty('given_name')) body.given_name = values.given_name.trim()
    if (form.isDirty('family_name')) body.family_name = values.family_name.trim()
    if (form.isDirty('name')) body.name = values.name.trim()
    if (form.isDirty('email_verified')) body.email_verified = values.email_verified
    if (values.password) body.password = values.password
    if (form.isDirty('metadata')) {
      const metadata = parseMetadata(values.metadata)
      if ('value' in metadata) body.metadata = metadata.value
    }
    update.mutate(body, {
      onSuccess: (saved) => {
        form.setInitialValues(valuesOf(saved))
        form.setValues(valuesOf(saved))
        notifySuccess(body.password ? 'User saved; their sessions have ended' : 'User saved')
      },
      onError: (error) => applyApiError(form, error, { title: 'Could not save the user' }),
    })
  })

  return (
    <Paper withBorder radius="md" p="lg" component="section" aria-labelledby="user-profile-heading">
      {leaveGuard}
      <Title order={2} fz="h4" id="user-profile-heading">
        Profile
      </Title>
      <Text c="dimmed" size="sm" mb="md">
        {editable ? 'Change any field, then save.' : 'Viewers can read the user but not change them.'}
      </Text>
      <form onSubmit={submit} noValidate aria-label="User profile">
        <Stack maw={640}>
          <UserFields form={form} mode="edit" disabled={!editable} hasPassword={user.has_password} hasEmail={Boolean(user.email)} />
          {editable && (
            <Group>
              <Button type="submit" loading={update.isPending} disabled={!form.isDirty()}>
                Save changes
              </Button>
              {form.isDirty() && (
                <Button variant="subtle" color="gray" onClick={() => form.reset()} disabled={update.isPending}>
                  Discard
                </Button>
              )}
            </Group>
          )}
        </Stack>
      </form>
    </Paper>
  )
}
