import { Anchor, Button, Group, Loader, Paper, Stack, Table, Text, Title, Tooltip } from '@mantine/core'
import { useDisclosure } from '@mantine/hooks'
import { IconChevronLeft, IconChevronRight, IconDownload, IconPlus, IconUsers } from '@tabler/icons-react'
import { useState } from 'react'
import { Link, useNavigate, useSearchParams } from 'react-router'
import { ErrorAlert } from '../../components/ErrorAlert'
import { notifyError, notifySuccess } from '../../lib/forms'
import { ApiError } from '../../lib/problem'
import { usePageTitle } from '../../lib/pageTitle'
import { useExportUsers, useUsers } from './api'
import { CreateUserModal } from './CreateUserModal'
import {
  can,
  DEFAULT_FILTERS,
  displayName,
  filtersFromParams,
  filtersToParams,
  formatCount,
  formatDateTime,
  hasFilters,
  type InstanceRef,
  type User,
  type UserFilters,
} from './model'
import { StatusBadge } from './StatusBadge'
import { SortControl, UserFiltersBar } from './UserFiltersBar'

const COLUMNS = 6

function EmptyUsers({ filtered, canCreate, onCreate, onClear }: { filtered: boolean; canCreate: boolean; onCreate: () => void; onClear: () => void }) {
  return (
    <Stack align="center" gap="xs" py="xl">
      <IconUsers size={36} color="var(--mantine-color-gray-5)" aria-hidden />
      <Text fw={600}>{filtered ? 'No users match these filters' : 'No users yet'}</Text>
      <Text c="dimmed" size="sm" ta="center" maw={440}>
        {filtered
          ? 'Try another search, or clear the filters to see every user.'
          : 'Users sign up through your applications, are created through the API, or are added here.'}
      </Text>
      {filtered ? (
        <Button mt="xs" variant="light" onClick={onClear}>
          Clear filters
        </Button>
      ) : (
        canCreate && (
          <Button mt="xs" variant="light" leftSection={<IconPlus size={16} aria-hidden />} onClick={onCreate}>
            Add user
          </Button>
        )
      )}
    </Stack>
  )
}

function UserRow({ user, timeZone }: { user: User; timeZone: string }) {
  const name = user.name.trim() || [user.given_name, user.family_name].filter(Boolean).join(' ')
  return (
    <Table.Tr>
      <Table.Td maw={300}>
        <Anchor component={Link} to={user.id} fw={600} size="sm" style={{ wordBreak: 'break-all' }}>
          {user.email}
        </Anchor>
      </Table.Td>
      <Table.Td maw={220}>
        <Text size="sm" c={name ? undefined : 'dimmed'} truncate>
          {name || '—'}
        </Text>
      </Table.Td>
      <Table.Td>
        <StatusBadge status={user.status} />
      </Table.Td>
      <Table.Td>
        <Text size="sm">{user.provider === 'password' ? 'Password' : user.provider}</Text>
      </Table.Td>
      <Table.Td>
        <Text size="sm" style={{ whiteSpace: 'nowrap' }}>
          {formatDateTime(user.created_at, timeZone)}
        </Text>
      </Table.Td>
      <Table.Td>
        <Text size="sm" c={user.last_login_at ? undefined : 'dimmed'} style={{ whiteSpace: 'nowrap' }}>
          {user.last_login_at ? formatDateTime(user.last_login_at, timeZone) : 'Never'}
        </Text>
      </Table.Td>
    </Table.Tr>
  )
}

/**
 * The Users area: a filtered, sorted, cursor-paginated table. Filters live in the URL; the cursors
 * of the pages already passed are a stack in state (reset whenever the filters change).
 */
export function UsersPage({ instance }: { instance: InstanceRef }) {
  usePageTitle('Users', instance.name ?? instance.slug)
  const [params, setParams] = useSearchParams()
  const filters = filtersFromParams(params)
  const filterKey = JSON.stringify(filters)
  // Cursors of the pages before the current one, and the current one's; tied to the filters they came from.
  const [paging, setPaging] = useState<{ key: string; stack: (string | null)[] }>({ key: filterKey, stack: [null] })
  const stack = paging.key === filterKey ? paging.stack : [null]
  const cursor = stack[stack.length - 1]
  const users = useUsers(instance.slug, filters, cursor, instance.timeZone)
  const navigate = useNavigate()
  const [creating, { open: openCreate, close: closeCreate }] = useDisclosure(false)
  const manage = can.manageUsers(instance.role)
  const exportCsv = useExportUsers(instance.slug, instance.timeZone)

  const update = (changes: Partial<UserFilters>) =>
    setParams(
      (prev) => {
        const next = new URLSearchParams(prev)
        for (const [key, value] of Object.entries(filtersToParams(changes))) {
          if (value === null) next.delete(key)
          else next.set(key, value)
        }
        return next
      },
      { replace: true },
    )
  const clear = () => update({ ...DEFAULT_FILTERS, sort: filters.sort, order: filters.order })

  const page = users.data
  const items = page?.items ?? []
  const fieldErrors: Record<string, string> = {}
  if (users.error instanceof ApiError) for (const fe of users.error.fieldErrors) fieldErrors[fe.field] = fe.message
  const filtered = hasFilters(filters)
  const providers = Array.from(new Set(items.map((u) => u.provider)))
  const busy = users.isFetching && !users.isPending

  return (
    <Stack gap="lg" maw={1200}>
      <Group justify="space-between" align="flex-start" wrap="wrap">
        <div>
          <Title order={1} fz="h2">
            Users
          </Title>
          <Text c="dimmed">The people who sign in to your applications through this instance.</Text>
        </div>
        <Group gap="xs">
          <Button
            variant="default"
            leftSection={<IconDownload size={16} aria-hidden />}
            loading={exportCsv.isPending}
            onClick={() => exportCsv.mutate(filters, { onError: (error) => notifyError(error, 'Could not export the users') })}
          >
            Export CSV
          </Button>
          {manage && (
            <Button leftSection={<IconPlus size={16} aria-hidden />} onClick={openCreate}>
              Add user
            </Button>
          )}
        </Group>
      </Group>

      <UserFiltersBar filters={filters} providers={providers} errors={fieldErrors} onChange={update} onClear={clear} />

      <Paper withBorder radius="md" component="section" aria-label="Users list">
        <Group justify="space-between" px="lg" py="xs" wrap="wrap" style={{ borderBottom: '1px solid var(--mantine-color-gray-3)' }}>
          <Group gap="xs">
            <Text size="sm" fw={500} aria-live="polite" data-testid="users-total">
              {page ? formatCount(page.total, page.total_capped) : users.isError ? '' : 'Counting…'}
            </Text>
            {busy && <Loader size={14} aria-label="Loading users" />}
          </Group>
          <Group gap="md">
            {stack.length > 1 && (
              <Text size="sm" c="dimmed">
                Page {stack.length}
              </Text>
            )}
            <SortControl filters={filters} errors={fieldErrors} onChange={update} />
          </Group>
        </Group>
        {users.isError ? (
          <Stack p="md">
            <ErrorAlert error={users.error} title="Could not load the users" onRetry={() => users.refetch()} />
          </Stack>
        ) : page && items.length === 0 && stack.length === 1 ? (
          <EmptyUsers filtered={filtered} canCreate={manage} onCreate={openCreate} onClear={clear} />
        ) : (
          <Table.ScrollContainer minWidth={860}>
            <Table verticalSpacing="sm" horizontalSpacing="lg" highlightOnHover style={{ opacity: busy ? 0.6 : 1, transition: 'opacity 150ms' }}>
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>Email</Table.Th>
                  <Table.Th>Name</Table.Th>
                  <Table.Th>Status</Table.Th>
                  <Table.Th>Provider</Table.Th>
                  <Table.Th>
                    <Tooltip label={`Times in ${instance.timeZone}`}>
                      <span>Created</span>
                    </Tooltip>
                  </Table.Th>
                  <Table.Th>Last sign-in</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {users.isPending && (
                  <Table.Tr>
                    <Table.Td colSpan={COLUMNS}>
                      <Group gap="xs">
                        <Loader size="xs" />
                        <Text c="dimmed" size="sm">
                          Loading users…
                        </Text>
                      </Group>
                    </Table.Td>
                  </Table.Tr>
                )}
                {items.map((user) => (
                  <UserRow key={user.id} user={user} timeZone={instance.timeZone} />
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
        )}
        {(stack.length > 1 || page?.next_cursor) && (
          <Group justify="flex-end" gap="xs" px="lg" py="sm" style={{ borderTop: '1px solid var(--mantine-color-gray-3)' }}>
            <Button
              variant="default"
              size="xs"
              leftSection={<IconChevronLeft size={14} aria-hidden />}
              disabled={stack.length <= 1 || busy}
              onClick={() => setPaging({ key: filterKey, stack: stack.slice(0, -1) })}
            >
              Previous
            </Button>
            <Button
              variant="default"
              size="xs"
              rightSection={<IconChevronRight size={14} aria-hidden />}
              disabled={!page?.next_cursor || busy}
              loading={busy && users.isPlaceholderData}
              onClick={() => page?.next_cursor && setPaging({ key: filterKey, stack: [...stack, page.next_cursor] })}
            >
              Next
            </Button>
          </Group>
        )}
      </Paper>

      {manage && (
        <CreateUserModal
          slug={instance.slug}
          opened={creating}
          onClose={closeCreate}
          onCreated={(user) => {
            closeCreate()
            notifySuccess(`User “${displayName(user)}” added`)
            navigate(user.id)
          }}
        />
      )}
    </Stack>
  )
}
