import {
  IconAlertTriangle,
  IconDeviceDesktopOff,
  IconKey,
  IconLock,
  IconLockOpen,
  IconLogin,
  IconLogout,
  IconMail,
  IconMailCheck,
  IconShieldCheck,
  IconShieldOff,
  IconShieldX,
  IconUserPlus,
  IconRefresh,
  IconUserX,
  type Icon,
} from '@tabler/icons-react'
import type { SecurityEventKind } from './api'

interface KindInfo {
  label: string
  icon: Icon
  /** Red for failures and lockouts, orange for changes worth a second look, else gray. */
  color: string
}

export const SECURITY_EVENT_KINDS: Record<SecurityEventKind, KindInfo> = {
  signed_in: { label: 'Signed in', icon: IconLogin, color: 'teal' },
  sign_in_failed: { label: 'Failed sign-in attempt', icon: IconUserX, color: 'red' },
  sign_in_locked: { label: 'Sign-in locked after failed attempts', icon: IconLock, color: 'red' },
  two_factor_failed: { label: 'Wrong two-factor code', icon: IconShieldX, color: 'red' },
  password_changed: { label: 'Password changed', icon: IconKey, color: 'orange' },
  password_reset: { label: 'Password reset by email link', icon: IconKey, color: 'orange' },
  email_changed: { label: 'Email address changed', icon: IconMail, color: 'orange' },
  email_verified: { label: 'Email address verified', icon: IconMailCheck, color: 'teal' },
  two_factor_enabled: { label: 'Two-factor sign-in turned on', icon: IconShieldCheck, color: 'teal' },
  two_factor_disabled: { label: 'Two-factor sign-in turned off', icon: IconShieldOff, color: 'orange' },
  recovery_code_used: { label: 'Recovery code used', icon: IconLockOpen, color: 'orange' },
  recovery_codes_regenerated: { label: 'New recovery codes generated', icon: IconRefresh, color: 'gray' },
  session_revoked: { label: 'Session signed out', icon: IconLogout, color: 'gray' },
  other_sessions_revoked: { label: 'All other sessions signed out', icon: IconDeviceDesktopOff, color: 'gray' },
  invitation_accepted: { label: 'Joined an instance', icon: IconUserPlus, color: 'blue' },
}

export function kindInfo(kind: SecurityEventKind): KindInfo {
  return SECURITY_EVENT_KINDS[kind] ?? { label: kind, icon: IconAlertTriangle, color: 'gray' }
}

export const KIND_OPTIONS = (Object.keys(SECURITY_EVENT_KINDS) as SecurityEventKind[]).map((k) => ({
  value: k,
  label: SECURITY_EVENT_KINDS[k].label,
}))
