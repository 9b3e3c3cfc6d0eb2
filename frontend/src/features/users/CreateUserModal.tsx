import { Alert, Button, Group, Modal, Stack } from '@mantine/core'
import { useForm } from '@mantine/form'
import { useState } from 'react'
import { applyApiError } from '../../lib/forms'
import { ApiError } from '../../lib/problem'
import { useCreateUser, type CreateUserInput } from './api'
import { parseMetadata, userFormValidation, type User, type UserFormValues } from './model'
import { UserFields } from './UserFields'

function initialValues(): UserFormValues {
  return {
    email: '',
    given_name: '',
    family_name: '',
    name: '',
    password_choice: 'password',
    password: '',
    email_verified: false,
    blocked: false,
    metadata: '',
  }
}

/** The server names the invitation `send_invitation`; the form shows it as the password choice. */
function onChoiceField(error: unknown): unknown {
  if (!(error instanceof ApiError) || !error.fieldErrors.some((e) => e.field === 'send_invitation')) return error
  const errors = error.fieldErrors.map((e) => (e.field === 'send_invitation' ? { ...e, field: 'password_choice' } : e))
  return new ApiError({ ...error.problem, errors }, error.retryAfter)
}

/**
 * The "Add user" form, in a modal: the user's fields, and how they get a password (set now, an
 * invitation email, or none yet). Calls `onCreated` with the server's answer and whether an
 * invitation was sent.
 */
export function CreateUserModal({
  slug,
  opened,
  onClose,
  onCreated,
}: {
  slug: string
  opened: boolean
  onClose: () => void
  onCreated: (user: User, invited: boolean) => void
}) {
  const create = useCreateUser(slug)
  const [formError, setFormError] = useState<string | null>(null)
  const form = useForm<UserFormValues>({
    initialValues: initialValues(),
    validate: userFormValidation,
    validateInputOnBlur: ['metadata'],
  })

  const reset = () => {
    form.setValues(initialValues())
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
    const metadata = parseMetadata(values.metadata)
    const invite = values.password_choice === 'invitation'
    const body: CreateUserInput = {
      email: values.email.trim(),
      given_name: values.given_name.trim() || undefined,
      family_name: values.family_name.trim() || undefined,
      name: values.name.trim() || undefined,
      password: (values.password_choice === 'password' && values.password) || undefined,
      send_invitation: invite || undefined,
      email_verified: values.email_verified,
      blocked: values.blocked,
      metadata: 'value' in metadata && Object.keys(metadata.value).length > 0 ? metadata.value : undefined,
    }
    create.mutate(body, {
      onSuccess: (user) => {
        reset()
        onCreated(user, invite)
      },
      onError: (error) => setFormError(applyApiError(form, onChoiceField(error), { notify: false })),
    })
  })

  return (
    <Modal opened={opened} onClose={close} title="Add user" size="lg" centered>
      <form onSubmit={submit} noValidate aria-label="Add user">
        <Stack>
          {formError && (
            <Alert color="red" role="alert" title="Could not add the user">
              {formError}
            </Alert>
          )}
          <UserFields form={form} mode="create" />
          <Group justify="flex-end">
            <Button variant="default" onClick={close} disabled={create.isPending}>
              Cancel
            </Button>
            <Button type="submit" loading={create.isPending}>
              Add user
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  )
}
