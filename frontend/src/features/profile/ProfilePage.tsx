import { Button, Collapse, Group, Paper, Stack, Tabs, Text, TextInput, Title } from '@mantine/core'
import { IconShieldLock, IconUser } from '@tabler/icons-react'
import { Navigate, useNavigate, useParams } from 'react-router'
import { useForm } from '@mantine/form'
import { ErrorAlert } from '../../components/ErrorAlert'
import { FullPageLoader } from '../../components/FullPageLoader'
import { useMe } from '../../lib/account'
import { usePageTitle } from '../../lib/pageTitle'
import { applyApiError, notifySuccess } from '../../lib/forms'
import { PASSWORD_MIN, validateEmail, validatePassword, validateRequired } from '../../lib/validation'
import { formatDateTime } from '../../lib/datetime'
import { PasswordField } from '../../components/PasswordField'
import { UnsavedChangesScope } from '../../lib/UnsavedChangesScope'
import { useLeaveGuard } from '../../lib/useLeaveGuard'
import { useChangePassword, useUpdateProfile, type UpdateProfileInput } from './api'
import type { Schemas } from '../../api/client'
import { SecurityLog } from './SecurityLog'
import { SessionsCard } from './SessionsCard'
import { TwoFactorCard } from './TwoFactorCard'

type Account = Schemas['AccountDto']

function ProfileForm({ account }: { account: Account }) {
  const update = useUpdateProfile()
  const form = useForm({
    initialValues: { name: account.name, email: account.email, current_password: '' },
    validate: {
      name: validateRequired('Name'),
      email: validateEmail,
      current_password: (value: string, values) =>
        values.email.trim() !== account.email && !value ? 'Enter your current password to change your email' : null,
    },
  })
  const emailChanged = form.getValues().email.trim() !== account.email
  const leaveGuard = useLeaveGuard(form.isDirty() && !update.isPending, 'Your profile has unsaved changes; they will be lost.')

  const submit = form.onSubmit((values) => {
    const body: UpdateProfileInput = {}
    if (values.name.trim() !== account.name) body.name = values.name.trim()
    if (values.email.trim() !== account.email) {
      body.email = values.email.trim()
      body.current_password = values.current_password
    }
    if (Object.keys(body).length === 0) return
    update.mutate(body, {
      onSuccess: (saved) => {
        const next = { name: saved.name, email: saved.email, current_password: '' }
        form.setInitialValues(next)
        form.setValues(next)
        notifySuccess('Profile saved')
      },
      onError: (error) => applyApiError(form, error),
    })
  })

  return (
    <Paper withBorder radius="md" p="lg" component="section" aria-labelledby="profile-heading">
      {leaveGuard}
      <Title order={2} fz="h4" id="profile-heading" mb="md">
        Profile
      </Title>
      <form onSubmit={submit} noValidate>
        <Stack maw={480}>
          <TextInput label="Name" autoComplete="name" required {...form.getInputProps('name')} />
          <TextInput label="Email" type="email" autoComplete="email" required {...form.getInputProps('email')} />
          <Collapse expanded={emailChanged}>
            <PasswordField
              label="Current password"
              description="Required to change your email."
              autoComplete="current-password"
              {...form.getInputProps('current_password')}
            />
          </Collapse>
          <Group>
            <Button type="submit" loading={update.isPending} disabled={!form.isDirty()}>
              Save profile
            </Button>
          </Group>
        </Stack>
      </form>
    </Paper>
  )
}

function PasswordForm() {
  const change = useChangePassword()
  const form = useForm({
    initialValues: { current_password: '', new_password: '', confirm: '' },
    validate: {
      current_password: validateRequired('Current password'),
      new_password: validatePassword,
      confirm: (value: string, values) => (value === values.new_password ? null : 'The passwords do not match'),
    },
  })
  const leaveGuard = useLeaveGuard(form.isDirty() && !change.isPending, 'The password change you started is not saved; it will be lost.')
  const submit = form.onSubmit((values) => {
    change.mutate(
      { current_password: values.current_password, new_password: values.new_password },
      {
        onSuccess: () => {
          form.reset()
          notifySuccess('Password changed. Your other sessions were signed out.')
        },
        onError: (error) => applyApiError(form, error, { title: 'Could not change the password' }),
      },
    )
  })
  return (
    <Paper withBorder radius="md" p="lg" component="section" aria-labelledby="password-heading">
      {leaveGuard}
      <Title order={2} fz="h4" id="password-heading">
        Change password
      </Title>
      <Text c="dimmed" size="sm" mb="md">
        Your other sessions are signed out; this one stays.
      </Text>
      <form onSubmit={submit} noValidate>
        <Stack maw={480}>
          <PasswordField
            label="Current password"
            autoComplete="current-password"
            required
            {...form.getInputProps('current_password')}
          />
          <PasswordField
            label="New password"
            description={`At least ${PASSWORD_MIN} characters`}
            autoComplete="new-password"
            required
            {...form.getInputProps('new_password')}
          />
          <PasswordField
            label="Confirm new password"
            autoComplete="new-password"
            required
            {...form.getInputProps('confirm')}
          />
          <Group>
            <Button type="submit" loading={change.isPending}>
              Change password
            </Button>
          </Group>
        </Stack>
      </form>
    </Paper>
  )
}

const TABS = ['account', 'security'] as const
type Tab = (typeof TABS)[number]

export function ProfilePage() {
  const me = useMe()
  const navigate = useNavigate()
  const { tab: param } = useParams()
  const tab: Tab | null = param === undefined ? 'account' : TABS.includes(param as Tab) ? (param as Tab) : null
  usePageTitle(tab === 'security' ? 'Security' : 'Profile', tab === 'security' ? 'Profile' : null)
  if (tab === null) return <Navigate to="/profile" replace />
  if (me.isPending) return <FullPageLoader label="Loading profile" />
  if (me.isError) return <ErrorAlert error={me.error} title="Could not load your profile" onRetry={() => me.refetch()} />
  return (
    <Stack gap="lg" maw={tab === 'security' ? 1100 : 900}>
      <div>
        <Title order={1} fz="h2">
          Your profile
        </Title>
        <Text c="dimmed">Member since {formatDateTime(me.data.created_at)}</Text>
      </div>
      <Tabs value={tab} onChange={(value) => navigate(value === 'security' ? '/profile/security' : '/profile')} keepMounted={false}>
        <Tabs.List>
          <Tabs.Tab value="account" leftSection={<IconUser size={16} aria-hidden />}>
            Account
          </Tabs.Tab>
          <Tabs.Tab value="security" leftSection={<IconShieldLock size={16} aria-hidden />}>
            Security
          </Tabs.Tab>
        </Tabs.List>
        <Tabs.Panel value="account" pt="lg">
          {/* Both forms share the page's one "Leave without saving?" guard. */}
          <UnsavedChangesScope>
            <Stack gap="lg">
              <ProfileForm key={me.data.id} account={me.data} />
              <PasswordForm />
            </Stack>
          </UnsavedChangesScope>
        </Tabs.Panel>
        <Tabs.Panel value="security" pt="lg">
          <Stack gap="lg">
            <TwoFactorCard />
            <SessionsCard />
            <SecurityLog />
          </Stack>
        </Tabs.Panel>
      </Tabs>
    </Stack>
  )
}
