import { Anchor, Badge, Button, Checkbox, Group, Loader, Paper, Stack, Table, Text, Title, Tooltip } from '@mantine/core'
import { useDisclosure } from '@mantine/hooks'
import { IconChevronLeft, IconChevronRight, IconDownload, IconFileImport, IconPlus, IconUsers } from '@tabler/icons-react'
import { useState } from 'react'
import { Link, useNavigate, useSearchParams } from 'react-router'
import { ErrorAlert } from '../../components/ErrorAlert'
import { notifyError, notifySuccess } from '../../lib/forms'
import { ApiError } from '../../lib/problem'
import { providerLabel } from '../../lib/identityProviders'
import { usePageTitle } from '../../lib/pageTitle'
import { useExportUsers, useUsers } from './api'
import { BulkActions, type BulkSelection } from './BulkActions'
import { CreateUserModal } from './CreateUserModal'
import { ImportUsersModal } from './ImportUsersModal'
import {
  can,
  DEFAULT_FILTERS,
  displayName,
  endUserAddress,
  endUserName,
  filtersFromParams,
  filtersToParams,
  formatCount,
  formatDateTime,
  hasFilters,
  nextPaging,
  PAGING_PARAMS,
  pageNumber,
  pagingFromParams,
  previousPaging,
  withPaging,
  type InstanceRef,
  type Paging,
  type User,
  type UserFilters,
} from './model'
import { StatusBadge } from './StatusBadge'
import { SortControl, UserFiltersBar } from './UserFiltersBar'

const COLUMNS = 7

const NOTHING_SELECTED: BulkSelection = { picked: new Map(), all: false }

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

/**
 * One user. On a phone the row keeps the checkbox, the email (with the name under it) and the
 * status; the other columns show from wider screens up. A user without an address (a guest, an X
 * account) is named by their name or id, with a badge saying why there is no email.
 */
function UserRow({ user, timeZone, selected, onToggle }: { user: User; timeZone: string; selected: boolean; onToggle: () => void }) {
  const name = endUserName(user)
  return (
    <Table.Tr bg={selected ? 'var(--mantine-color-blue-light)' : undefined}>
      <Table.Td w={40} pr={0}>
        <Checkbox size="sm" aria-label={`Select ${endUserAddress(user)}`} checked={selected} onChange={onToggle} />
      </Table.Td>
      <Table.Td maw={300}>
        {user.email ? (
          <Anchor component={Link} to={user.id} fw={600} size="sm" style={{ wordBreak: 'break-all' }}>
            {user.email}
          </Anchor>
        ) : (
          <Group gap={6} wrap="nowrap">
            <Anchor component={Link} to={user.id} fw={600} size="sm" style={{ wordBreak: 'break-all' }}>
              {displayName(user)}
            </Anchor>
            <Badge size="xs" variant="light" color={user.provider === 'guest' ? 'grape' : 'gray'} style={{ flexShrink: 0 }}>
              {user.provider === 'guest' ? 'Guest' : 'No email'}
            </Badge>
          </Group>
        )}
        {name && user.email && (
          <Text size="xs" c="dimmed" hiddenFrom="sm" truncate>
            {name}
          </Text>
        )}
      </Table.Td>
      <Table.Td maw={220} visibleFrom="sm">
        <Text size="sm" c={name ? undefined : 'dimmed'} truncate>
          {name || '—'}
        </Text>
      </Table.Td>
      <Table.Td>
        <StatusBadge status={user.status} />
      </Table.Td>
      <Table.Td visibleFrom="lg">
        <Text size="sm">{providerLabel(user.provider)}</Text>
      </Table.Td>
      <Table.Td visibleFrom="md">
        <Text size="sm" style={{ whiteSpace: 'nowrap' }}>
          {formatDateTime(user.created_at, timeZone)}
        </Text>
      </Table.Td>
      <Table.Td visibleFrom="lg">
        <Text size="sm" c={user.last_login_at ? undefined : 'dimmed'} style={{ whiteSpace: 'nowrap' }}>
          {user.last_login_at ? formatDateTime(user.last_login_at, timeZone) : 'Never'}
        </Text>
      </Table.Td>
    </Table.Tr>
  )
}

/**
 * The Users area: a filtered, sorted, cursor-paginated table with a selection for bulk actions.
 * Its state lives in the URL (filters, sort, the page's cursor and those of the pages before it),
 * so a reload or a shared link shows the same page. The selection belongs to the filters it was
 * made under: changing them clears it.
 */
export function UsersPage({ instance }: { instance: InstanceRef }) {
  usePageTitle('Users', instance.name ?? instance.slug)
  const [params, setParams] = useSearchParams()
  const filters = filtersFromParams(params)
  const filterKey = JSON.stringify(filters)
  const paging = pagingFromParams(params)
  const users = useUsers(instance.slug, filters, paging.cursor, instance.timeZone)
  const navigate = useNavigate()
  const [creating, { open: openCreate, close: closeCreate }] = useDisclosure(false)
  const [importing, { open: openImport, close: closeImport }] = useDisclosure(false)
  const manage = can.manageUsers(instance.role)
  const exportCsv = useExportUsers(instance.slug, instance.timeZone)
  const [selectionState, setSelection] = useState<{ key: string } & BulkSelection>({ key: filterKey, ...NOTHING_SELECTED })
  const selection: BulkSelection = selectionState.key === filterKey ? selectionState : NOTHING_SELECTED

  // Any change of filter or sort starts again from the first page.
  const update = (changes: Partial<UserFilters>) =>
    setParams(
      (prev) => {
        const next = new URLSearchParams(prev)
        for (const key of PAGING_PARAMS) next.delete(key)
        for (const [key, value] of Object.entries(filtersToParams(changes))) {
          if (value === null) next.delete(key)
          else next.set(key, value)
        }
        return next
      },
      { replace: true },
    )
  const clear = () => update({ ...DEFAULT_FILTERS, sort: filters.sort, order: filters.order })
  const goTo = (next: Paging) => setParams((prev) => withPaging(prev, next), { replace: true })

  const page = users.data
  const items = page?.items ?? []
  const fieldErrors: Record<string, string> = {}
  if (users.error instanceof ApiError) for (const fe of users.error.fieldErrors) fieldErrors[fe.field] = fe.message
  const filtered = hasFilters(filters)
  const providers = Array.from(new Set(items.map((u) => u.provider)))
  const busy = users.isFetching && !users.isPending
  const pageNo = pageNumber(paging)

  const isSelected = (user: User) => selection.all || selection.picked.has(user.id)
  const selectedOnPage = items.filter(isSelected).length
  const pageFullySelected = items.length > 0 && selectedOnPage === items.length
  const select = (next: BulkSelection) => setSelection({ key: filterKey, ...next })
  const toggle = (user: User) => {
    // Unticking one user of "every user matching the filter" keeps the rest of this page.
    const picked: BulkSelection['picked'] = selection.all ? new Map(items.map((u) => [u.id, u.email ?? null])) : new Map(selection.picked)
    if (isSelected(user)) picked.delete(user.id)
    else picked.set(user.id, user.email ?? null)
    select({ picked, all: false })
  }
  const togglePage = () => {
    if (pageFullySelected) {
      const picked: BulkSelection['picked'] = selection.all ? new Map() : new Map(selection.picked)
      for (const u of items) picked.delete(u.id)
      select({ picked, all: false })
    } else {
      const picked = new Map(selection.picked)
      for (const u of items) picked.set(u.id, u.email ?? null)
      select({ picked, all: false })
    }
  }

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
            onClick={() => exportCsv.mutate({ filters }, { onError: (error) => notifyError(error, 'Could not export the users') })}
          >
            Export CSV
          </Button>
          {manage && (
            <Button variant="default" leftSection={<IconFileImport size={16} aria-hidden />} onClick={openImport}>
              Import
            </Button>
          )}
          {manage && (
            <Button leftSection={<IconPlus size={16} aria-hidden />} onClick={openCreate}>
              Add user
            </Button>
          )}
        </Group>
      </Group>

      <UserFiltersBar slug={instance.slug} filters={filters} providers={providers} errors={fieldErrors} onChange={update} onClear={clear} />

      <Paper withBorder radius="md" component="section" aria-label="Users list">
        <Group justify="space-between" px="lg" py="xs" wrap="wrap" style={{ borderBottom: '1px solid var(--mantine-color-gray-3)' }}>
          <Group gap="xs">
            <Text size="sm" fw={500} aria-live="polite" data-testid="users-total">
              {page ? formatCount(page.total, page.total_capped) : users.isError ? '' : 'Counting…'}
            </Text>
            {busy && <Loader size={14} aria-label="Loading users" />}
          </Group>
          <Group gap="md">
            {pageNo > 1 && (
              <Text size="sm" c="dimmed">
                Page {pageNo}
              </Text>
            )}
            <SortControl filters={filters} errors={fieldErrors} onChange={update} />
          </Group>
        </Group>
        <BulkActions
          slug={instance.slug}
          timeZone={instance.timeZone}
          filters={filters}
          selection={selection}
          pageFullySelected={pageFullySelected}
          total={page?.total ?? 0}
          totalCapped={page?.total_capped ?? false}
          manage={manage}
          onSelectAll={() => select({ picked: new Map(), all: true })}
          onClear={() => select(NOTHING_SELECTED)}
        />
        {users.isError ? (
          <Stack p="md" align="flex-start">
            <ErrorAlert error={users.error} title="Could not load the users" onRetry={() => users.refetch()} />
            {paging.cursor && (
              // A cursor from an old link may no longer be valid.
              <Button variant="default" size="xs" onClick={() => goTo({ cursor: null, previous: [] })}>
                Go to the first page
              </Button>
            )}
          </Stack>
        ) : page && items.length === 0 && !paging.cursor ? (
          <EmptyUsers filtered={filtered} canCreate={manage} onCreate={openCreate} onClear={clear} />
        ) : (
          <Table.ScrollContainer minWidth={0} type="native">
            <Table verticalSpacing="sm" horizontalSpacing="md" highlightOnHover style={{ opacity: busy ? 0.6 : 1, transition: 'opacity 150ms' }}>
              <Table.Thead>
                <Table.Tr>
                  <Table.Th w={40} pr={0}>
                    <Checkbox
                      size="sm"
                      aria-label="Select every user on this page"
                      checked={pageFullySelected}
                      indeterminate={selectedOnPage > 0 && !pageFullySelected}
                      disabled={items.length === 0}
                      onChange={togglePage}
                    />
                  </Table.Th>
                  <Table.Th>Email</Table.Th>
                  <Table.Th visibleFrom="sm">Name</Table.Th>
                  <Table.Th>Status</Table.Th>
                  <Table.Th visibleFrom="lg">Provider</Table.Th>
                  <Table.Th visibleFrom="md">
                    <Tooltip label={`Times in ${instance.timeZone}`}>
                      <span>Created</span>
                    </Tooltip>
                  </Table.Th>
                  <Table.Th visibleFrom="lg">Last sign-in</Table.Th>
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
                {page && items.length === 0 && (
                  <Table.Tr>
                    <Table.Td colSpan={COLUMNS}>
                      <Text c="dimmed" size="sm">
                        No more users on this page.
                      </Text>
                    </Table.Td>
                  </Table.Tr>
                )}
                {items.map((user) => (
                  <UserRow key={user.id} user={user} timeZone={instance.timeZone} selected={isSelected(user)} onToggle={() => toggle(user)} />
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
        )}
        {(paging.cursor || page?.next_cursor) && (
          <Group justify="flex-end" gap="xs" px="lg" py="sm" style={{ borderTop: '1px solid var(--mantine-color-gray-3)' }}>
            <Button
              variant="default"
              size="xs"
              leftSection={<IconChevronLeft size={14} aria-hidden />}
              disabled={!paging.cursor || busy}
              onClick={() => goTo(previousPaging(paging))}
            >
              Previous
            </Button>
            <Button
              variant="default"
              size="xs"
              rightSection={<IconChevronRight size={14} aria-hidden />}
              disabled={!page?.next_cursor || busy}
              loading={busy && users.isPlaceholderData}
              onClick={() => page?.next_cursor && goTo(nextPaging(paging, page.next_cursor))}
            >
              Next
            </Button>
          </Group>
        )}
      </Paper>

      {manage && <ImportUsersModal slug={instance.slug} opened={importing} onClose={closeImport} />}
      {manage && (
        <CreateUserModal
          slug={instance.slug}
          opened={creating}
          onClose={closeCreate}
          onCreated={(user, invited) => {
            closeCreate()
            notifySuccess(invited && user.email ? `User “${displayName(user)}” added; an invitation is on its way to ${user.email}` : `User “${displayName(user)}” added`)
            navigate(user.id)
          }}
        />
      )}
    </Stack>
  )
}
