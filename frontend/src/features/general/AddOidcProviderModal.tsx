import { Alert, Button, Checkbox, Group, Modal, Stack, TagsInput, Text, TextInput } from '@mantine/core'
import { useForm } from '@mantine/form'
import { useState } from 'react'
import { PasswordField } from '../../components/PasswordField'
import { applyApiError, notifySuccess } from '../../lib/forms'
import { useSaveProvider } from './api'
import type { IdentityProvider } from './model'
import { addOidcInput, checkDiscoveryUrl, checkProviderKey, INITIAL_OIDC_VALUES, type AddOidcValues } from './providerForm'

function AddOidcForm({ slug, existing, onAdded, onCancel }: { slug: string; existing: string[]; onAdded: (p: IdentityProvider) => void; onCancel: () => void }) {
  const save = useSaveProvider(slug)
  const [formError, setFormError] = useState<string | null>(null)
  const form = useForm<AddOidcValues>({
    mode: 'controlled',
    initialValues: INITIAL_OIDC_VALUES,
    validate: {
      key: (v) => checkProviderKey(v, existing),
      discovery_url: checkDiscoveryUrl,
    },
  })
  const key = form.getValues().key.trim()

  const submit = form.onSubmit((values) => {
    setFormError(null)
    save.mutate(
      { key: values.key.trim(), body: addOidcInput(values) },
      {
        onSuccess: (saved) => {
          notifySuccess(`${saved.display_name} added${saved.enabled ? ': people can sign in with it' : ' (off)'}`)
          onAdded(saved)
        },
        onError: (error) => setFormError(applyApiError(form, error, { notify: false })),
      },
    )
  })

  return (
    <form onSubmit={submit} noValidate aria-label="New OpenID Connect provider">
      <Stack gap="md">
        <Text size="sm" c="dimmed">
          Any issuer that publishes an OpenID Connect discovery document: Okta, Microsoft Entra ID, Auth0, Keycloak, GitLab…
        </Text>
        <TextInput
          label="Key"
          required
          placeholder="okta"
          description={`Lowercase letters, digits and hyphens; it appears in the callback URL (…/oauth/callback/${key || 'key'}) and cannot be changed.`}
          autoComplete="off"
          spellCheck={false}
          data-autofocus
          {...form.getInputProps('key')}
        />
        <TextInput label="Display name" placeholder={key || 'Okta'} description="Defaults to the key." {...form.getInputProps('display_name')} />
        <TextInput
          label="Discovery URL"
          required
          placeholder="https://id.example.com/.well-known/openid-configuration"
          description="Fetched and checked when you add the provider."
          spellCheck={false}
          {...form.getInputProps('discovery_url')}
        />
        <TextInput label="Client id" autoComplete="off" spellCheck={false} {...form.getInputProps('client_id')} />
        <PasswordField label="Client secret" toggleLabel="Show secret" autoComplete="new-password" description="Stored encrypted; never shown again." {...form.getInputProps('client_secret')} />
        <TagsInput label="Scopes" description="openid is required. Press Enter after each." splitChars={[' ', ',']} clearable {...form.getInputProps('scopes')} />
        <Checkbox
          label="Enable it now"
          description="Needs the client id and secret. The callback URL to register at the issuer is shown once it is added."
          {...form.getInputProps('enabled', { type: 'checkbox' })}
        />
        {formError && (
          <Alert color="red" role="alert" title="Could not add the provider">
            {formError}
          </Alert>
        )}
        <Group justify="flex-end">
          {save.isPending && (
            <Text size="sm" c="dimmed" role="status" mr="auto">
              Checking the discovery document…
            </Text>
          )}
          <Button variant="default" onClick={onCancel} disabled={save.isPending}>
            Cancel
          </Button>
          <Button type="submit" loading={save.isPending}>
            Add provider
          </Button>
        </Group>
      </Stack>
    </form>
  )
}

/** "Add OpenID Connect provider": the first save of a new key creates it (`201`). */
export function AddOidcProviderModal({
  slug,
  opened,
  existing,
  onClose,
  onAdded,
}: {
  slug: string
  opened: boolean
  /** The keys in use (a save to one of them would change that provider instead). */
  existing: string[]
  onClose: () => void
  onAdded: (provider: IdentityProvider) => void
}) {
  return (
    <Modal opened={opened} onClose={onClose} title="Add OpenID Connect provider" size="lg" centered>
      {opened && <AddOidcForm slug={slug} existing={existing} onAdded={onAdded} onCancel={onClose} />}
    </Modal>
  )
}
