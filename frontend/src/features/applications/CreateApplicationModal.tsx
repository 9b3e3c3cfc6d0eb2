import { Alert, Button, Group, Modal, Radio, SimpleGrid, Stack, Text, Textarea, TextInput } from '@mantine/core'
import { useForm } from '@mantine/form'
import { IconDeviceDesktop, IconServer } from '@tabler/icons-react'
import { useState } from 'react'
import { applyApiError } from '../../lib/forms'
import { validateRequired } from '../../lib/validation'
import { useCreateApplication } from './api'
import { UrlListField } from './listFields'
import { cleanUrlLists } from './urlLists'
import { KIND_DESCRIPTIONS, KIND_LABELS, type AppKind, type CreatedApplication } from './model'

const KIND_ICONS = { frontend: IconDeviceDesktop, backend: IconServer }

interface CreateValues {
  kind: AppKind
  name: string
  description: string
  allowed_origins: string[]
  redirect_uris: string[]
  [key: string]: unknown
}

function initialValues(): CreateValues {
  return { kind: 'frontend', name: '', description: '', allowed_origins: [''], redirect_uris: [''] }
}

/** The "New application" form, in a modal. Calls `onCreated` with the server's answer (which
 *  carries a back-end app's one-time secret). */
export function CreateApplicationModal({
  slug,
  opened,
  onClose,
  onCreated,
}: {
  slug: string
  opened: boolean
  onClose: () => void
  onCreated: (app: CreatedApplication) => void
}) {
  const create = useCreateApplication(slug)
  const [formError, setFormError] = useState<string | null>(null)
  const form = useForm<CreateValues>({
    initialValues: initialValues(),
    validate: { name: validateRequired('Name') },
  })
  const kind = form.getValues().kind

  const close = () => {
    if (create.isPending) return
    form.setValues(initialValues())
    form.clearErrors()
    setFormError(null)
    onClose()
  }

  const submit = form.onSubmit((values) => {
    setFormError(null)
    const lists = values.kind === 'frontend' ? cleanUrlLists(form) : null
    create.mutate(
      {
        kind: values.kind,
        name: values.name.trim(),
        description: values.description.trim() || undefined,
        ...lists,
      },
      {
        onSuccess: (app) => {
          form.setValues(initialValues())
          onCreated(app)
        },
        onError: (error) => setFormError(applyApiError(form, error, { notify: false })),
      },
    )
  })

  return (
    <Modal opened={opened} onClose={close} title="New application" size="lg" centered>
      <form onSubmit={submit} noValidate aria-label="New application">
        <Stack>
          {formError && (
            <Alert color="red" role="alert" title="Could not create the application">
              {formError}
            </Alert>
          )}
          <Radio.Group
            label="Kind"
            value={kind}
            onChange={(v) => {
              form.setFieldValue('kind', v as AppKind)
              form.clearErrors()
            }}
          >
            <SimpleGrid cols={{ base: 1, xs: 2 }} mt={6}>
              {(['frontend', 'backend'] as const).map((k) => {
                const Icon = KIND_ICONS[k]
                return (
                  <Radio.Card
                    key={k}
                    value={k}
                    p="md"
                    radius="md"
                    aria-label={KIND_LABELS[k]}
                    style={{ display: 'flex', alignItems: 'flex-start' }}
                  >
                    <Group wrap="nowrap" align="flex-start" gap="sm">
                      <Radio.Indicator mt={2} />
                      <div>
                        <Group gap={6}>
                          <Icon size={18} aria-hidden />
                          <Text fw={600}>{KIND_LABELS[k]}</Text>
                        </Group>
                        <Text size="xs" c="dimmed" mt={4}>
                          {KIND_DESCRIPTIONS[k]}
                        </Text>
                      </div>
                    </Group>
                  </Radio.Card>
                )
              })}
            </SimpleGrid>
          </Radio.Group>
          <TextInput label="Name" placeholder={kind === 'frontend' ? 'Web shop' : 'Billing service'} required data-autofocus {...form.getInputProps('name')} />
          <Textarea label="Description" autosize minRows={2} maxRows={5} {...form.getInputProps('description')} />
          {kind === 'frontend' && (
            <>
              <UrlListField form={form} field="allowed_origins" />
              <UrlListField form={form} field="redirect_uris" />
            </>
          )}
          {kind === 'backend' && (
            <Text size="sm" c="dimmed">
              The client secret is shown once, right after creation.
            </Text>
          )}
          <Group justify="flex-end">
            <Button variant="default" onClick={close} disabled={create.isPending}>
              Cancel
            </Button>
            <Button type="submit" loading={create.isPending}>
              Create application
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  )
}
