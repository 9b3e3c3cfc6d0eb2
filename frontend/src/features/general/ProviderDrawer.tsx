import {
  Alert,
  Anchor,
  Badge,
  Button,
  Drawer,
  Group,
  Loader,
  MultiSelect,
  NumberInput,
  Paper,
  NativeSelect,
  Stack,
  Switch,
  TagsInput,
  Text,
  TextInput,
  Title,
} from '@mantine/core'
import { useForm } from '@mantine/form'
import { useDisclosure } from '@mantine/hooks'
import { IconInfoCircle, IconLock } from '@tabler/icons-react'
import { useEffect, useState } from 'react'
import { ConfirmModal } from '../../components/ConfirmModal'
import { CopyIconButton } from '../../components/CopyIconButton'
import { PasswordField } from '../../components/PasswordField'
import { ProviderIcon } from '../../components/ProviderIcon'
import { useApplicationList } from '../../lib/applications'
import { applyApiError, notifyError, notifySuccess } from '../../lib/forms'
import { isExternal } from '../../lib/identityProviders'
import { ApiError } from '../../lib/problem'
import { useUnsavedChangesGuard } from '../../lib/useUnsavedChangesGuard'
import { useResetProvider, useSaveProvider } from './api'
import { formatDateTime, type IdentityProvider, type InstanceRef } from './model'
import {
  discoveryChanged,
  kindLine,
  LIFETIME_UNITS,
  PROVIDER_ERROR_FIELDS,
  providerValidation,
  secretInputShown,
  toProviderInput,
  valuesOf,
  type LifetimeUnit,
  type ProviderForm,
  type ProviderFormValues,
} from './providerForm'

/** What the drawer opens with: a provider, and possibly a change already made (the list's switch) and the server's answer to it. */
export interface ProviderDrawerTarget {
  provider: IdentityProvider
  /** Start with "enabled" at this value (the switch of a provider that lacks its credentials). */
  enabled?: boolean
  /** A refused save to show beside the fields at once. */
  error?: unknown
}

/** The server refused some `client_secret`: show the secret's input, so that its message shows beside it. */
function revealSecretFor(form: ProviderForm, error: unknown) {
  if (error instanceof ApiError && error.fieldErrors.some((e) => e.field === 'client_secret')) {
    form.setFieldValue('replace_secret', true)
    form.setFieldValue('remove_secret', false)
  }
}

function SecretField({ form, provider, editable }: { form: ProviderForm; provider: IdentityProvider; editable: boolean }) {
  const values = form.getValues()
  const shown = secretInputShown(provider, values)
  const issuerMoved = discoveryChanged(provider, values) && provider.client_secret_set
  if (provider.client_secret_set && !shown) {
    const error = form.errors.client_secret
    return (
      <Stack gap={4}>
        <Text size="sm" fw={500}>
          Client secret
        </Text>
        <Group gap="xs" wrap="wrap">
          {values.remove_secret ? (
            <Text size="sm" c="orange">
              The stored secret is removed when you save.
            </Text>
          ) : (
            <Badge variant="light" color="teal" leftSection={<IconLock size={12} aria-hidden />}>
              A secret is stored
            </Badge>
          )}
          {editable &&
            (values.remove_secret ? (
              <Button size="compact-xs" variant="subtle" onClick={() => form.setFieldValue('remove_secret', false)}>
                Keep it
              </Button>
            ) : (
              <>
                <Button size="compact-xs" variant="default" onClick={() => form.setFieldValue('replace_secret', true)}>
                  Replace
                </Button>
                <Button size="compact-xs" variant="subtle" color="red" onClick={() => form.setFieldValue('remove_secret', true)}>
                  Remove
                </Button>
              </>
            ))}
        </Group>
        <Text size="xs" c="dimmed">
          It is never shown again.
        </Text>
        {error && (
          <Text size="xs" c="red" role="alert">
            {error}
          </Text>
        )}
      </Stack>
    )
  }
  return (
    <Stack gap={4}>
      <PasswordField
        label="Client secret"
        toggleLabel="Show secret"
        autoComplete="new-password"
        description={
          issuerMoved
            ? 'The discovery URL changed: enter the secret again (a stored secret is only sent to the issuer it was saved for).'
            : provider.client_secret_set
              ? 'Type the new secret; it replaces the stored one when you save.'
              : 'Stored encrypted; never shown again.'
        }
        disabled={!editable}
        {...form.getInputProps('client_secret')}
      />
      {provider.client_secret_set && values.replace_secret && !issuerMoved && editable && (
        <Anchor
          component="button"
          type="button"
          size="xs"
          onClick={() => {
            form.setFieldValue('replace_secret', false)
            form.setFieldValue('client_secret', '')
          }}
        >
          Keep the stored secret
        </Anchor>
      )}
    </Stack>
  )
}

function ApplicationsField({ slug, form, editable }: { slug: string; form: ProviderForm; editable: boolean }) {
  const apps = useApplicationList(slug)
  const chosen = form.getValues().application_ids
  const known = (apps.data ?? []).map((a) => ({ value: a.id, label: a.name }))
  // An application deleted since stays visible (by id) until it is taken out.
  const gone = chosen.filter((id) => !known.some((o) => o.value === id)).map((id) => ({ value: id, label: apps.data ? `Deleted application ${id}` : id }))
  return (
    <MultiSelect
      label="Applications"
      description="Only these applications offer the provider. Empty: every application."
      placeholder={chosen.length === 0 ? (apps.isPending ? 'Loading applications…' : 'All applications') : undefined}
      data={[...known, ...gone]}
      searchable
      clearable
      disabled={!editable}
      rightSection={apps.isPending ? <Loader size={14} aria-label="Loading applications" /> : undefined}
      nothingFoundMessage={apps.isError ? 'Could not load the applications' : 'No application matches'}
      comboboxProps={{ withinPortal: true }}
      {...form.getInputProps('application_ids')}
    />
  )
}

function DangerZone({ slug, provider, onDone }: { slug: string; provider: IdentityProvider; onDone: () => void }) {
  const [opened, { open, close }] = useDisclosure(false)
  const reset = useResetProvider(slug)
  const oidc = provider.kind === 'oidc'
  const confirm = () =>
    reset.mutate(provider.key, {
      onSuccess: () => {
        close()
        notifySuccess(oidc ? `${provider.display_name} removed` : `${provider.display_name} is back to its defaults`)
        onDone()
      },
      onError: (error) => {
        close()
        notifyError(error, oidc ? 'Could not remove the provider' : 'Could not reset the provider')
      },
    })
  if (!oidc && !provider.configured) return null
  const after = oidc
    ? 'People can no longer sign in with it; users who did keep their accounts and their linked identities, and sign in another way.'
    : provider.kind === 'password'
      ? 'Its settings are forgotten: email and password sign-in is on again, with sign-up open, for every application.'
      : 'Its settings are forgotten, the client id and secret included; it is turned off.'
  return (
    <Paper withBorder radius="md" p="md" component="section" aria-labelledby="provider-danger-heading" style={{ borderColor: 'var(--mantine-color-red-4)' }}>
      <Title order={3} fz="h5" c="red" id="provider-danger-heading">
        Danger zone
      </Title>
      <Group justify="space-between" mt="xs" wrap="wrap" gap="sm">
        <Text size="sm" c="dimmed" maw={380}>
          {after}
        </Text>
        <Button color="red" variant="outline" size="xs" onClick={open}>
          {oidc ? 'Remove provider' : 'Reset to defaults'}
        </Button>
      </Group>
      <ConfirmModal
        opened={opened}
        onClose={close}
        title={oidc ? `Remove ${provider.display_name}` : `Reset ${provider.display_name}`}
        confirmLabel={oidc ? 'Remove' : 'Reset'}
        onConfirm={confirm}
        pending={reset.isPending}
      >
        {oidc ? `Remove the OpenID Connect provider “${provider.display_name}” (${provider.key})? ` : `Reset ${provider.display_name} to its defaults? `}
        {after}
      </ConfirmModal>
    </Paper>
  )
}

function ProviderSettingsForm({ instance, target, editable, onClose }: { instance: InstanceRef; target: ProviderDrawerTarget; editable: boolean; onClose: () => void }) {
  const { provider } = target
  const save = useSaveProvider(instance.slug)
  const [formError, setFormError] = useState<string | null>(null)
  const form = useForm<ProviderFormValues>({
    mode: 'controlled',
    initialValues: valuesOf(provider),
    validate: providerValidation(provider),
  })
  const leaveGuard = useUnsavedChangesGuard(editable && form.isDirty() && !save.isPending, `${provider.display_name} has unsaved changes; they will be lost.`)
  const values = form.getValues()
  const external = isExternal(provider.kind)

  // Opened by the list's switch: the change is made, and a refusal already known shows at once.
  useEffect(() => {
    if (target.enabled !== undefined) form.setFieldValue('enabled', target.enabled)
    if (target.error) {
      revealSecretFor(form, target.error)
      setFormError(applyApiError(form, target.error, { notify: false, fields: PROVIDER_ERROR_FIELDS }))
    }
    // Once, for what the drawer was opened with.
    // oxlint-disable-next-line react-hooks/exhaustive-deps
  }, [])

  const submit = form.onSubmit((v) => {
    setFormError(null)
    save.mutate(
      { key: provider.key, body: toProviderInput(provider, v) },
      {
        onSuccess: (saved) => {
          form.resetDirty(valuesOf(saved))
          notifySuccess(`${saved.display_name} saved${saved.enabled ? ': people can sign in with it' : ' (off)'}`)
          onClose()
        },
        onError: (error) => {
          revealSecretFor(form, error)
          setFormError(applyApiError(form, error, { notify: false, fields: PROVIDER_ERROR_FIELDS }))
        },
      },
    )
  })

  const consoleName = provider.display_name
  return (
    <Stack gap="md">
      {leaveGuard}
      <Group gap="sm" wrap="nowrap">
        <ProviderIcon provider={provider.kind} size={36} />
        <div>
          <Text fw={600}>{provider.display_name}</Text>
          <Text size="sm" c="dimmed">
            {kindLine(provider)}
            {provider.updated_at ? ` · saved ${formatDateTime(provider.updated_at, instance.timeZone)}` : ' · default settings'}
          </Text>
        </div>
      </Group>
      {!editable && (
        <Alert variant="light" color="gray" icon={<IconLock size={18} aria-hidden />} p="sm">
          Your role on this instance is {instance.role}: only admins and owners can change identity providers.
        </Alert>
      )}
      <form onSubmit={submit} noValidate aria-label={`${provider.display_name} settings`}>
        <Stack gap="md">
          <Switch
            label="Enabled"
            description={external ? 'People may sign up and sign in with it (it needs the client id and secret).' : 'People may sign up and sign in with it.'}
            disabled={!editable}
            {...form.getInputProps('enabled', { type: 'checkbox' })}
          />
          {external && provider.callback_url && (
            <TextInput
              label="Callback URL"
              description={`Paste this into ${consoleName}'s console as the redirect/callback URL.`}
              value={provider.callback_url}
              readOnly
              spellCheck={false}
              styles={{ input: { fontFamily: 'var(--mantine-font-family-monospace)', fontSize: 'var(--mantine-font-size-xs)' } }}
              rightSection={<CopyIconButton value={provider.callback_url} label="Copy the callback URL" size="sm" />}
            />
          )}
          {provider.kind === 'oidc' && (
            <TextInput
              label="Discovery URL"
              placeholder="https://id.example.com/.well-known/openid-configuration"
              description={provider.issuer ? `Issuer: ${provider.issuer}. Fetched and checked again on every save.` : 'Fetched and checked on every save.'}
              spellCheck={false}
              disabled={!editable}
              {...form.getInputProps('discovery_url')}
            />
          )}
          {external && (
            <>
              <TextInput label="Client id" description={`The client id ${consoleName} issued.`} autoComplete="off" spellCheck={false} disabled={!editable} {...form.getInputProps('client_id')} />
              <SecretField form={form} provider={provider} editable={editable} />
              <TagsInput
                label="Scopes"
                description={provider.kind === 'oidc' || provider.kind === 'google' || provider.kind === 'linkedin' ? 'What to ask for; openid is required. Press Enter after each.' : 'What to ask for. Press Enter after each.'}
                splitChars={[' ', ',']}
                clearable
                disabled={!editable}
                {...form.getInputProps('scopes')}
              />
            </>
          )}
          {provider.kind === 'password' && (
            <Switch
              label="Allow registration"
              description="People may create an account on the sign-in page and through the API. Off: only existing users sign in."
              disabled={!editable}
              {...form.getInputProps('allow_registration', { type: 'checkbox' })}
            />
          )}
          {provider.kind === 'guest' && (
            <NumberInput
              label="Guest lifetime"
              description="How long a guest lasts, from 1 hour to 365 days: its session, then the guest is deleted unless it became a full account."
              min={1}
              allowNegative={false}
              decimalScale={2}
              hideControls
              disabled={!editable}
              maw={320}
              rightSectionWidth={96}
              rightSection={
                <NativeSelect
                  aria-label="Guest lifetime unit"
                  data={LIFETIME_UNITS}
                  variant="unstyled"
                  disabled={!editable}
                  value={values.guest_lifetime_unit}
                  onChange={(e) => form.setFieldValue('guest_lifetime_unit', e.currentTarget.value as LifetimeUnit)}
                />
              }
              {...form.getInputProps('guest_lifetime')}
            />
          )}
          <ApplicationsField slug={instance.slug} form={form} editable={editable} />
          <Group grow align="flex-start">
            <TextInput label="Display name" description="Shown in the console and the sign-in page." disabled={!editable} {...form.getInputProps('display_name')} />
            <TextInput label="Button label" description="The sign-in button's text." disabled={!editable} {...form.getInputProps('button_label')} />
          </Group>
          <NumberInput
            label="Position"
            description="Lower first, on the sign-in page and in this list (0 to 1000)."
            min={0}
            max={1000}
            allowDecimal={false}
            allowNegative={false}
            w={200}
            disabled={!editable}
            {...form.getInputProps('position')}
          />
          {provider.kind === 'oidc' && editable && values.discovery_url.trim() !== '' && (
            <Alert variant="light" color="blue" icon={<IconInfoCircle size={18} aria-hidden />} p="sm">
              Saving fetches the discovery document and checks it; this may take a few seconds.
            </Alert>
          )}
          {formError && (
            <Alert color="red" role="alert" title="Could not save">
              {formError}
            </Alert>
          )}
          {editable && (
            <Group>
              <Button type="submit" loading={save.isPending} disabled={!form.isDirty()}>
                Save
              </Button>
              <Button variant="default" onClick={onClose} disabled={save.isPending}>
                Cancel
              </Button>
              {save.isPending && provider.kind === 'oidc' && (
                <Text size="sm" c="dimmed" role="status">
                  Checking the discovery document…
                </Text>
              )}
            </Group>
          )}
        </Stack>
      </form>
      {editable && <DangerZone slug={instance.slug} provider={provider} onDone={onClose} />}
    </Stack>
  )
}

/** One provider's settings in a drawer; read-only below admin. */
export function ProviderDrawer({
  instance,
  target,
  opened,
  editable,
  onClose,
}: {
  instance: InstanceRef
  /** The provider shown (kept while the drawer closes); `id` starts a fresh form each time it opens. */
  target: (ProviderDrawerTarget & { id: number }) | null
  opened: boolean
  editable: boolean
  onClose: () => void
}) {
  return (
    <Drawer
      opened={opened && target !== null}
      onClose={onClose}
      position="right"
      size="lg"
      title={target ? `${editable ? 'Configure' : 'View'} ${target.provider.display_name}` : ''}
      closeButtonProps={{ 'aria-label': 'Close the provider settings' }}
    >
      {target && <ProviderSettingsForm key={target.id} instance={instance} target={target} editable={editable} onClose={onClose} />}
    </Drawer>
  )
}
