import { Select } from '@mantine/core'
import { useDebouncedValue } from '@mantine/hooks'
import { IconUser } from '@tabler/icons-react'
import { useState, type ReactNode } from 'react'
import { usePreviewUserSearch } from './api'

/** The option that stands for sample data (no end user's id is empty). */
const SAMPLE = ''
const SAMPLE_LABEL = 'Sample data'

/** The end user a preview is rendered for (`null`: sample data). */
export interface PreviewUser {
  id: string
  label: string
}

/**
 * Chooses whose names and email fill the preview: sample data, or one of the instance's end users
 * (searched by email or name, as in the Users area).
 */
export function PreviewAs({
  slug,
  value,
  onChange,
  error,
}: {
  slug: string
  value: PreviewUser | null
  onChange: (user: PreviewUser | null) => void
  error?: ReactNode
}) {
  const [search, setSearch] = useState('')
  // Asked only once someone opens the list: most previews use sample data.
  const [opened, setOpened] = useState(false)
  const [q] = useDebouncedValue(search.trim(), 250)
  // While the field shows the chosen user's label, the list is not filtered by it.
  const users = usePreviewUserSearch(slug, search === (value?.label ?? SAMPLE_LABEL) ? '' : q, opened)
  const found = (users.data?.items ?? []).map((u) => ({ value: u.id, label: u.name ? `${u.name} <${u.email}>` : u.email }))
  const chosen = value && !found.some((o) => o.value === value.id) ? [{ value: value.id, label: value.label }] : []
  const data = [{ value: SAMPLE, label: SAMPLE_LABEL }, ...chosen, ...found]
  return (
    <Select
      size="xs"
      label="Preview as"
      placeholder="Search end users"
      leftSection={<IconUser size={14} aria-hidden />}
      searchable
      data={data}
      value={value?.id ?? SAMPLE}
      allowDeselect={false}
      onChange={(id, option) => onChange(id && id !== SAMPLE ? { id, label: option?.label ?? id } : null)}
      searchValue={search}
      onSearchChange={setSearch}
      onDropdownOpen={() => setOpened(true)}
      filter={({ options }) => options}
      nothingFoundMessage={users.isError ? 'Could not load the end users' : users.isFetching || !users.data ? 'Searching…' : q ? 'No end user matches' : 'This instance has no end users yet'}
      error={error}
      comboboxProps={{ withinPortal: true }}
    />
  )
}
