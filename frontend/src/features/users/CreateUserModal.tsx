import { Alert, Button, Group, Modal, Stack } from '@mantine/core'
import { useForm } from '@mantine/form'
import { useState } from 'react'
import { applyApiError } from '../../lib/forms'
import { useCreateUser, type CreateUserInput } from './api'
import { parseMetadata, userFormValidation, type User, type UserFormValues } from './model'
import { UserFields } from './UserFields'

function initialValues(): UserFormValues {
  return { email: '', given_name: '', family_name: '', name: '', password: '', email_verified: false, blocked: false, metadata: '' }
}

/** The "Add user" form, in a modal. Calls `onCreated` with the server's answer. */
export function CreateUserModal({
  slug,
  opened,
  onClose,
  onCreated,
}: {
  slug: string
  opened: boolean
  onClose: () => void
  onCreated: (user: User) => void
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
    const body: CreateUserInput = {
      email: values.email.trim(),
      given_name: values.given_name.trim() || undefined,
      family_name: values.family_name.trim() || undefined,
      name: values.name.trim() || undefined,
      password: values.password || undefined,
      email_verified: values.email_verified,
      blocked: values.blocked,
      metadata: 'value' in metadata && Object.keys(metadata.value).length > 0 ? metadata.value : undefined,
    }
    create.mutate(body, {
      onSuccess: (user) => {
        reset()
        onCreated(user)
      },
      onError: (error) => setFormError(applyApiError(form, error, { notify: false })),
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
