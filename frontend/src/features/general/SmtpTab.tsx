import {
  Alert,
  Badge,
  Button,
  Checkbox,
  Grid,
  Group,
  List,
  NumberInput,
  Paper,
  Select,
  Skeleton,
  Stack,
  Switch,
  Text,
  TextInput,
  Title,
} from '@mantine/core'
import { useForm } from '@mantine/form'
import { IconInfoCircle, IconLock } from '@tabler/icons-react'
import { useEffect, useState } from 'react'
import { ErrorAlert } from '../../components/ErrorAlert'
import { applyApiError, notifySuccess } from '../../lib/forms'
import { PasswordField } from '../../components/PasswordField'
import { ApiError } from '../../lib/problem'
import { useSaveSmtp, useSmtp } from './api'
import { can, formatDateTime, SECURITY_OPTIONS, suggestPort, type InstanceRef, type SmtpSecurity, type SmtpSettings } from './model'
import { toSmtpInput, valuesOf, type SmtpForm, type SmtpFormValues } from './smtpForm'
import { SmtpTestPanel } from './SmtpTestPanel'
import { useUnsavedChangesGuard } from '../../lib/useUnsavedChangesGuard'

function SmtpFields({ form, settings, editable }: { form: SmtpForm; settings: SmtpSettings; editable: boolean }) {
  const values = form.getValues()
  const stored = settings.password_set && !values.remove_password
  return (
    <Stack gap="md">
      <Switch
        label="Send this instance's emails through this SMTP server"
        description="When off, the platform's transport sends them (or, without one, the local mailbox keeps them)."
        disabled={!editable}
        {...form.getInputProps('enabled', { type: 'checkbox' })}
      />
      <Grid gap="md">
        <Grid.Col span={{ base: 12, sm: 8 }}>
          <TextInput label="Host" placeholder="smtp.example.com" disabled={!editable} spellCheck={false} {...form.getInputProps('host')} />
        </Grid.Col>
        <Grid.Col span={{ base: 12, sm: 4 }}>
          <NumberInput label="Port" min={1} max={65535} allowDecimal={false} allowNegative={false} hideControls disabled={!editable} {...form.getInputProps('port')} />
        </Grid.Col>
        <Grid.Col span={{ base: 12, sm: 6 }}>
          <Select
            label="Security"
            data={SECURITY_OPTIONS.map((o) => ({ value: o.value, label: o.label }))}
            renderOption={({ option }) => (
              <div>
                <Text size="sm">{option.label}</Text>
                <Text size="xs" c="dimmed">
                  {SECURITY_OPTIONS.find((o) => o.value === option.value)?.description}
                </Text>
              </div>
            )}
            allowDeselect={false}
            disabled={!editable}
            description="How the connection is encrypted"
            {...form.getInputProps('security')}
            onChange={(v) => {
              if (!v) return
              const security = v as SmtpSecurity
              form.setFieldValue('security', security)
              form.setFieldValue('port', suggestPort(security, form.getValues().port))
            }}
          />
        </Grid.Col>
        <Grid.Col span={{ base: 12, sm: 6 }}>
          <TextInput
            label="Username"
            description="Empty: no authentication."
            autoComplete="off"
            spellCheck={false}
            disabled={!editable}
            {...form.getInputProps('username')}
          />
          {values.security === 'none' && values.username.trim() !== '' && (
            <Checkbox
              mt="xs"
              size="xs"
              disabled={!editable}
              label="Send the password without encryption (not recommended)"
              description="Without STARTTLS or TLS, anyone on the network path can read the password."
              {...form.getInputProps('allow_insecure_auth', { type: 'checkbox' })}
            />
          )}
        </Grid.Col>
        <Grid.Col span={12}>
          <PasswordField
            label="Password"
            autoComplete="new-password"
            placeholder={stored ? 'Stored — leave empty to keep' : values.remove_password ? 'Will be removed' : ''}
            description={
              settings.password_set
                ? values.remove_password
                  ? 'The stored password is removed when you save.'
                  : 'A password is stored (it is never shown). Type a new one to replace it.'
                : 'Stored encrypted; never shown again.'
            }
            disabled={!editable || values.remove_password}
            {...form.getInputProps('password')}
          />
          {settings.password_set && editable && (
            <Checkbox
              mt="xs"
              size="xs"
              label="Remove the stored password"
              {...form.getInputProps('remove_password', { type: 'checkbox' })}
              onChange={(e) => {
                form.setFieldValue('remove_password', e.currentTarget.checked)
                if (e.currentTarget.checked) form.setFieldValue('password', '')
              }}
            />
          )}
        </Grid.Col>
        <Grid.Col span={{ base: 12, sm: 6 }}>
          <TextInput label="From address" description="The sender of every email" placeholder="no-reply@example.com" type="email" disabled={!editable} {...form.getInputProps('from_address')} />
        </Grid.Col>
        <Grid.Col span={{ base: 12, sm: 6 }}>
          <TextInput label="From name" placeholder="Acme Shop" description="Optional" disabled={!editable} {...form.getInputProps('from_name')} />
        </Grid.Col>
        <Grid.Col span={{ base: 12, sm: 6 }}>
          <TextInput label="Reply-to" placeholder="support@example.com" description="Optional" type="email" disabled={!editable} {...form.getInputProps('reply_to')} />
        </Grid.Col>
      </Grid>
    </Stack>
  )
}

function SmtpSettingsForm({ instance, settings }: { instance: InstanceRef; settings: SmtpSettings }) {
  const editable = can.editSmtp(instance.role)
  const save = useSaveSmtp(instance.slug)
  const [formError, setFormError] = useState<string | null>(null)
  const form = useForm<SmtpFormValues>({ mode: 'controlled', initialValues: valuesOf(settings) })
  const leaveGuard = useUnsavedChangesGuard(editable && form.isDirty() && !save.isPending, 'The SMTP settings have unsaved changes; they will be lost.')

  // Follow the server's copy (another tab, a refetch) unless the user is editing.
  useEffect(() => {
    if (!form.isDirty()) {
      form.setInitialValues(valuesOf(settings))
      form.setValues(valuesOf(settings))
    }
    // `form` is a new object on every render; only the server's values should re-run this.
    // oxlint-disable-next-line react-hooks/exhaustive-deps
  }, [settings])

  const submit = form.onSubmit((values) => {
    setFormError(null)
    save.mutate(toSmtpInput(values), {
      onSuccess: (saved) => {
        form.setInitialValues(valuesOf(saved))
        form.setValues(valuesOf(saved))
        notifySuccess(saved.enabled ? 'SMTP settings saved: emails sent from now on use this server' : 'SMTP settings saved')
      },
      onError: (error) => setFormError(applyApiError(form, error, { notify: false })),
    })
  })

  return (
    <Grid gap="lg" align="flex-start">
      <Grid.Col span={{ base: 12, md: 7 }}>
        <Paper withBorder radius="md" p="lg" component="section" aria-labelledby="smtp-heading">
          {leaveGuard}
          <Group justify="space-between" align="flex-start" gap="xs" mb="xs">
            <div>
              <Title order={2} fz="h4" id="smtp-heading">
                SMTP server
              </Title>
              <Text c="dimmed" size="sm">
                {settings.updated_at ? `Saved ${formatDateTime(settings.updated_at, instance.timeZone)}` : 'Not configured yet'}
              </Text>
            </div>
            <Badge color={settings.enabled ? 'teal' : 'gray'} variant="light">
              {settings.enabled ? 'In use' : 'Not in use'}
            </Badge>
          </Group>
          <Alert variant="light" color="blue" icon={<IconInfoCircle size={18} aria-hidden />} mb="md" p="sm">
            <List size="sm" spacing={2}>
              <List.Item>
                Enabled: the instance's emails go through this server. Disabled: the platform's transport sends them.
              </List.Item>
              <List.Item>
                Changes apply to emails sent from now on (including those still waiting in the queue); emails already sent
                are not affected.
              </List.Item>
            </List>
          </Alert>
          {!editable && (
            <Alert variant="light" color="gray" icon={<IconLock size={18} aria-hidden />} mb="md" p="sm">
              Your role on this instance is {instance.role}: only admins and owners can change or test the SMTP settings.
            </Alert>
          )}
          <form onSubmit={submit} noValidate aria-label="SMTP settings">
            <Stack gap="md">
              <SmtpFields form={form} settings={settings} editable={editable} />
              {formError && (
                <Alert color="red" role="alert" title="Could not save">
                  {formError}
                </Alert>
              )}
              {editable && (
                <Group>
                  <Button type="submit" loading={save.isPending} disabled={!form.isDirty()}>
                    Save settings
                  </Button>
                  {form.isDirty() && (
                    <Button variant="default" onClick={() => form.reset()} disabled={save.isPending}>
                      Discard changes
                    </Button>
                  )}
                </Group>
              )}
            </Stack>
          </form>
        </Paper>
      </Grid.Col>
      <Grid.Col span={{ base: 12, md: 5 }}>
        {editable && <SmtpTestPanel slug={instance.slug} form={form} />}
      </Grid.Col>
    </Grid>
  )
}

export function SmtpTab({ instance }: { instance: InstanceRef }) {
  const smtp = useSmtp(instance.slug)
  if (smtp.isError) {
    const forbidden = smtp.error instanceof ApiError && smtp.error.status === 403
    return <ErrorAlert error={smtp.error} title={forbidden ? 'Not allowed' : 'Could not load the SMTP settings'} onRetry={forbidden ? undefined : () => smtp.refetch()} />
  }
  if (smtp.isPending) return <Skeleton h={520} radius="md" maw={720} />
  return <SmtpSettingsForm key={instance.slug} instance={instance} settings={smtp.data} />
}
