import { ActionIcon, Button, Group, Select, Text, TextInput, Tooltip } from '@mantine/core'
import { useDebouncedValue } from '@mantine/hooks'
import { IconSearch, IconSortAscending, IconSortDescending, IconX } from '@tabler/icons-react'
import { useEffect, useState } from 'react'
import { BUILT_IN_PROVIDERS, isBuiltInProvider, providerLabel, useIdentityProviders } from '../../lib/identityProviders'
import { hasFilters, SORTS, STATUS_LABELS, STATUSES, type SortField, type UserFilters, type UserStatus } from './model'

export const SEARCH_DEBOUNCE_MS = 300

const STATUS_OPTIONS = STATUSES.map((s) => ({ value: s, label: STATUS_LABELS[s] }))

/**
 * The controls above the users table. The search box writes its text `SEARCH_DEBOUNCE_MS` after
 * the last keystroke; everything else at once.
 */
export function UserFiltersBar({
  slug,
  filters,
  providers,
  errors,
  onChange,
  onClear,
}: {
  slug: string
  filters: UserFilters
  /** Providers to offer besides the built-in ones (those seen in the list). */
  providers: string[]
  /** Server field errors by query parameter (`q`, `created_from`...). */
  errors: Record<string, string>
  onChange: (changes: Partial<UserFilters>) => void
  onClear: () => void
}) {
  const [text, setText] = useState(filters.q)
  const [debounced] = useDebouncedValue(text, SEARCH_DEBOUNCE_MS)

  // Typing settles → the URL.
  useEffect(() => {
    if (debounced.trim() !== filters.q.trim()) onChange({ q: debounced })
    // Only a settled text should write; the URL's own changes are handled below.
    // oxlint-disable-next-line react-hooks/exhaustive-deps
  }, [debounced])

  // The URL changed elsewhere (back button, "Clear filters") → the box.
  useEffect(() => {
    if (filters.q.trim() !== debounced.trim()) setText(filters.q)
    // oxlint-disable-next-line react-hooks/exhaustive-deps
  }, [filters.q])

  // The instance's OpenID Connect providers are asked for once someone opens the list (or a link
  // filters by one): the built-in kinds are always offered.
  const [providersWanted, setProvidersWanted] = useState(false)
  const custom = filters.provider !== null && !isBuiltInProvider(filters.provider)
  const configured = useIdentityProviders(slug, { enabled: providersWanted || custom })
  const oidc = (configured.data?.items ?? []).filter((p) => p.kind === 'oidc')
  const providerOptions = Array.from(
    new Set<string>([...BUILT_IN_PROVIDERS, ...oidc.map((p) => p.key), ...providers, ...(filters.provider ? [filters.provider] : [])]),
  ).map((p) => ({ value: p, label: providerLabel(p, oidc) }))
  return (
    <Group gap="sm" align="flex-end" wrap="wrap">
      <TextInput
        label="Search"
        placeholder="Email or name"
        leftSection={<IconSearch size={16} aria-hidden />}
        value={text}
        onChange={(e) => setText(e.currentTarget.value)}
        error={errors.q}
        w={220}
        rightSection={
          text ? (
            <ActionIcon variant="subtle" color="gray" size="sm" aria-label="Clear search" onClick={() => setText('')}>
              <IconX size={14} aria-hidden />
            </ActionIcon>
          ) : null
        }
      />
      <Select
        label="Status"
        placeholder="Any status"
        data={STATUS_OPTIONS}
        value={filters.status}
        onChange={(v) => onChange({ status: (v as UserStatus | null) ?? null })}
        clearable
        error={errors.status}
        w={140}
      />
      <Select
        label="Provider"
        placeholder="Any provider"
        data={providerOptions}
        value={filters.provider}
        onChange={(v) => onChange({ provider: v ?? null })}
        onDropdownOpen={() => setProvidersWanted(true)}
        clearable
        error={errors.provider}
        w={150}
      />
      <TextInput
        label="Created from"
        type="date"
        value={filters.from ?? ''}
        max={filters.to ?? undefined}
        onChange={(e) => onChange({ from: e.currentTarget.value || null })}
        error={errors.created_from}
        w={145}
      />
      <TextInput
        label="Created to"
        type="date"
        value={filters.to ?? ''}
        min={filters.from ?? undefined}
        onChange={(e) => onChange({ to: e.currentTarget.value || null })}
        error={errors.created_to}
        w={145}
      />
      {(hasFilters(filters) || text) && (
        <Button
          variant="subtle"
          color="gray"
          px="xs"
          leftSection={<IconX size={14} aria-hidden />}
          onClick={() => {
            setText('')
            onClear()
          }}
        >
          Clear filters
        </Button>
      )}
    </Group>
  )
}

/** Sort field and order, in the list's header. */
export function SortControl({
  filters,
  errors,
  onChange,
}: {
  filters: UserFilters
  errors: Record<string, string>
  onChange: (changes: Partial<UserFilters>) => void
}) {
  const descending = filters.order === 'desc'
  return (
    <Group gap={6} wrap="nowrap">
      <Text size="sm" c="dimmed" component="label" htmlFor="users-sort">
        Sort by
      </Text>
      <Select
        id="users-sort"
        size="xs"
        data={SORTS}
        value={filters.sort}
        onChange={(v) => v && onChange({ sort: v as SortField })}
        allowDeselect={false}
        error={errors.sort}
        w={130}
      />
      <Tooltip label={descending ? 'Descending — switch to ascending' : 'Ascending — switch to descending'}>
        <ActionIcon
          variant="default"
          size={30}
          aria-label={descending ? 'Switch to ascending order' : 'Switch to descending order'}
          data-order={filters.order}
          onClick={() => onChange({ order: descending ? 'asc' : 'desc' })}
        >
          {descending ? <IconSortDescending size={16} aria-hidden /> : <IconSortAscending size={16} aria-hidden />}
        </ActionIcon>
      </Tooltip>
    </Group>
  )
}
