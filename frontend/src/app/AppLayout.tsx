import { AppShell, Avatar, Box, Burger, Group, Menu, NavLink, ScrollArea, Text, UnstyledButton, VisuallyHidden } from '@mantine/core'
import { useDisclosure } from '@mantine/hooks'
import {
  IconAdjustmentsHorizontal,
  IconApps,
  IconChevronDown,
  IconLayoutDashboard,
  IconLogout,
  IconMail,
  IconPlus,
  IconReceipt,
  IconSettings,
  IconSettingsCode,
  IconUser,
  IconUsers,
} from '@tabler/icons-react'
import { useEffect } from 'react'
import { Link, Outlet, useLocation, useMatch, useNavigate } from 'react-router'
import { Brand } from '../components/Brand'
import { VerifyEmailBanner } from '../components/VerifyEmailBanner'
import { useLogout } from '../features/auth/api'
import { useInstances } from '../features/instances/api'
import { InstanceSwitcher } from '../features/instances/InstanceSwitcher'
import { lastInstance } from '../lib/lastInstance'
import { loginPath } from '../lib/sessionEnd'
import { useMe } from '../lib/account'

function initials(name: string | undefined): string {
  if (!name) return '?'
  return name
    .split(/\s+/)
    .filter(Boolean)
    .slice(0, 2)
    .map((p) => p[0]?.toUpperCase())
    .join('')
}

function UserMenu() {
  const me = useMe()
  const logout = useLogout()
  const navigate = useNavigate()
  return (
    <Menu position="bottom-end" width={220} withinPortal>
      <Menu.Target>
        {/* Named by its content, "Account menu" and the name it shows (not an aria-label, which
            would have to contain all the visible text, initials included: WCAG 2.5.3). */}
        <UnstyledButton className="user-button">
          <Group gap={8} wrap="nowrap">
            <Avatar size={32} radius="xl" color="blue" aria-hidden>
              {initials(me.data?.name)}
            </Avatar>
            <VisuallyHidden>Account menu{me.data?.name ? ':' : ''}</VisuallyHidden>
            <Text size="sm" fw={500} visibleFrom="sm" maw={160} truncate>
              {me.data?.name ?? ''}
            </Text>
            <IconChevronDown size={14} aria-hidden />
          </Group>
        </UnstyledButton>
      </Menu.Target>
      <Menu.Dropdown>
        {me.data && (
          <Menu.Label>
            <Text size="xs" truncate>
              {me.data.email}
            </Text>
          </Menu.Label>
        )}
        <Menu.Item component={Link} to="/profile" leftSection={<IconUser size={16} aria-hidden />}>
          Profile
        </Menu.Item>
        <Menu.Divider />
        <Menu.Item
          color="red"
          leftSection={<IconLogout size={16} aria-hidden />}
          closeMenuOnClick={false}
          disabled={logout.isPending}
          onClick={() => logout.mutate(undefined, { onSettled: () => navigate(loginPath({ reason: 'signed-out' }), { replace: true }) })}
        >
          {logout.isPending ? 'Logging out…' : 'Log out'}
        </Menu.Item>
      </Menu.Dropdown>
    </Menu>
  )
}

/**
 * The instance the frame shows: the one in the URL, else (on pages outside an instance, such as
 * the profile) the last one used, so the switcher and the navigation keep their context.
 */
function useCurrentSlug(): string | null {
  const match = useMatch('/i/:slug/*')
  const instances = useInstances()
  if (match?.params.slug) return match.params.slug
  const list = instances.data ?? []
  const last = lastInstance()
  return (list.find((i) => i.slug === last) ?? list[0])?.slug ?? null
}

function Navigation({ slug }: { slug: string | null }) {
  const location = useLocation()
  return (
    <nav aria-label="Console">
      {slug ? (
        <>
          <Text size="xs" fw={700} c="dimmed" tt="uppercase" px="sm" mb={4}>
            Instance
          </Text>
          <NavLink
            component={Link}
            to={`/i/${slug}`}
            label="Dashboard"
            leftSection={<IconLayoutDashboard size={18} aria-hidden />}
            active={location.pathname === `/i/${slug}`}
          />
          <NavLink
            component={Link}
            to={`/i/${slug}/applications`}
            label="Applications"
            leftSection={<IconApps size={18} aria-hidden />}
            active={location.pathname.startsWith(`/i/${slug}/applications`)}
          />
          <NavLink
            component={Link}
            to={`/i/${slug}/usage`}
            label="Usage & billing"
            leftSection={<IconReceipt size={18} aria-hidden />}
            active={location.pathname.startsWith(`/i/${slug}/usage`)}
          />
          <NavLink
            component={Link}
            to={`/i/${slug}/users`}
            label="Users"
            leftSection={<IconUsers size={18} aria-hidden />}
            active={location.pathname.startsWith(`/i/${slug}/users`)}
          />
          <NavLink
            component={Link}
            to={`/i/${slug}/config`}
            label="Configuration"
            leftSection={<IconSettingsCode size={18} aria-hidden />}
            active={location.pathname.startsWith(`/i/${slug}/config`)}
          />
          <NavLink
            component={Link}
            to={`/i/${slug}/general/identity`}
            label="General"
            leftSection={<IconAdjustmentsHorizontal size={18} aria-hidden />}
            active={location.pathname.startsWith(`/i/${slug}/general`)}
          />
          <NavLink
            component={Link}
            to={`/i/${slug}/emails`}
            label="Emails"
            leftSection={<IconMail size={18} aria-hidden />}
            active={location.pathname.startsWith(`/i/${slug}/emails`)}
          />
          <NavLink
            component={Link}
            to={`/i/${slug}/settings`}
            label="Settings"
            leftSection={<IconSettings size={18} aria-hidden />}
            active={location.pathname.startsWith(`/i/${slug}/settings`)}
          />
        </>
      ) : null}
      <NavLink
        component={Link}
        to="/instances/new"
        label="New instance"
        leftSection={<IconPlus size={18} aria-hidden />}
        active={location.pathname === '/instances/new'}
        hiddenFrom={slug ? 'sm' : undefined}
      />
      <Text size="xs" fw={700} c="dimmed" tt="uppercase" px="sm" mt="lg" mb={4}>
        Account
      </Text>
      <NavLink
        component={Link}
        to="/profile"
        label="Profile"
        leftSection={<IconUser size={18} aria-hidden />}
        active={location.pathname === '/profile' || location.pathname.startsWith('/profile/')}
      />
    </nav>
  )
}

export function AppLayout() {
  const [opened, { toggle, close }] = useDisclosure()
  const location = useLocation()
  const slug = useCurrentSlug()
  // Close the mobile navbar after navigating (the path is the trigger, not an input).
  // oxlint-disable-next-line react/exhaustive-effect-dependencies
  useEffect(() => close(), [location.pathname, close])

  return (
    <AppShell header={{ height: 60 }} navbar={{ width: 240, breakpoint: 'sm', collapsed: { mobile: !opened } }} padding="lg">
      <AppShell.Header>
        <Group h="100%" px="md" justify="space-between" wrap="nowrap">
          <Group gap="sm" wrap="nowrap">
            <Burger opened={opened} onClick={toggle} hiddenFrom="sm" size="sm" aria-label="Toggle navigation" />
            <Box visibleFrom="xs">
              <Link to="/" className="brand-link">
                <Brand size="md" />
              </Link>
            </Box>
            <InstanceSwitcher slug={slug} />
          </Group>
          <UserMenu />
        </Group>
      </AppShell.Header>
      <AppShell.Navbar p="sm">
        <AppShell.Section grow component={ScrollArea}>
          <Navigation slug={slug} />
        </AppShell.Section>
      </AppShell.Navbar>
      <AppShell.Main bg="var(--mantine-color-gray-0)">
        <VerifyEmailBanner />
        <Outlet />
      </AppShell.Main>
    </AppShell>
  )
}
