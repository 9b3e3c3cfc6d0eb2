import { ThemeIcon } from '@mantine/core'
import { IconBrandFacebook, IconBrandGoogle, IconBrandLinkedin, IconBrandX, IconId, IconPassword, IconUserQuestion } from '@tabler/icons-react'
import { isBuiltInProvider, type ProviderKind } from '../lib/identityProviders'

const ICONS = {
  password: IconPassword,
  guest: IconUserQuestion,
  google: IconBrandGoogle,
  facebook: IconBrandFacebook,
  twitter: IconBrandX,
  linkedin: IconBrandLinkedin,
  oidc: IconId,
} satisfies Record<ProviderKind, unknown>

const COLORS: Record<ProviderKind, string> = {
  password: 'gray',
  guest: 'grape',
  google: 'red',
  facebook: 'blue',
  twitter: 'dark',
  linkedin: 'indigo',
  oidc: 'teal',
}

/** The icon of an identity provider's kind (a key that is no built-in kind is an OpenID Connect provider). Decorative. */
export function ProviderIcon({ provider, size = 28 }: { provider: ProviderKind | string; size?: number }) {
  const kind: ProviderKind = isBuiltInProvider(provider) ? provider : 'oidc'
  const Icon = ICONS[kind]
  return (
    <ThemeIcon variant="light" color={COLORS[kind]} size={size} radius="md" aria-hidden>
      <Icon size={Math.round(size * 0.6)} aria-hidden />
    </ThemeIcon>
  )
}
