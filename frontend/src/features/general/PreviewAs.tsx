import { useDebouncedValue } from '@mantine/hooks'
import { IconUser } from '@tabler/icons-react'
import { useState, type ReactNode } from 'react'
import { SearchableSelect } from '../../components/SearchableSelect'
import { endUserLabel, endUserName } from '../../lib/endUsers'
import { usePreviewUserSearch } from './api'
import { metadataFields } from './model'

/** The option that stands for sample data (no end user's id is empty). */
const SAMPLE = ''
const SAMPLE_LABEL = 'Sample data'

/** The end user a preview is rendered for (`null`: sample data). */
export interface PreviewUser {
  id: string
  label: string
  /** Their metadata when they were chosen (the preview itself uses the server's copy). */
  metadata: Record<string, unknown>
}

/**
 * Chooses whose values fill the preview — names, email and metadata: sample data, or one of the
 * instance's end users (searched by email or name, as in the Users area). A typed text that
 * matches nobody is never taken (see SearchableSelect).
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
  const chosenLabel = value?.label ?? SAMPLE_LABEL
  const [search, setSearch] = useState(chosenLabel)
  // Asked only once someone opens the list: most previews use sample data.
  const [opened, setOpened] = useState(false)
  // While the field shows the chosen option's label, the list is not filtered by it.
  const editing = search !== chosenLabel
  const typed = editing ? search.trim() : ''
  const [q] = useDebouncedValue(typed, 250)
  const users = usePreviewUserSearch(slug, q, opened)
  // The list holds the answer for the text typed now.
  const settled = q === typed && users.data !== undefined && !users.isFetching && !users.isPlaceholderData

  const items = users.data?.items ?? []
  const found = items.map((u) => {
    const name = endUserName(u)
    return { value: u.id, label: name && u.email ? `${name} <${u.email}>` : endUserLabel(u) }
  })
  const sampleMatches = SAMPLE_LABEL.toLowerCase().includes(typed.toLowerCase())
  const chosen = !editing && value && !found.some((o) => o.value === value.id) ? [{ value: value.id, label: value.label }] : []
  const data = [...(sampleMatches ? [{ value: SAMPLE, label: SAMPLE_LABEL }] : []), ...chosen, ...found]
  const fields = metadataFields(value?.metadata)

  return (
    <SearchableSelect
      size="xs"
      label="Preview as"
      description={value ? (fields.length > 0 ? `Metadata fields: ${fields.join(', ')}` : 'No metadata fields') : undefined}
      placeholder="Search end users"
      leftSection={<IconUser size={14} aria-hidden />}
      data={data}
      value={value?.id ?? SAMPLE}
      allowDeselect={false}
      onChange={(id, option) => {
        if (!id || id === SAMPLE) return onChange(null)
        const user = items.find((u) => u.id === id)
        onChange({ id, label: option?.label ?? id, metadata: user?.metadata ?? value?.metadata ?? {} })
      }}
      searchValue={search}
      onSearchChange={setSearch}
      onDropdownOpen={() => setOpened(true)}
      // The server searched already: every option it sent is shown.
      filter={({ options }) => options}
      remoteMatches={!editing || settled || sampleMatches ? data.length : null}
      noMatchMessage={(text) => `No end user matches “${text}”: search by email or name.`}
      nothingFoundMessage={users.isError ? 'Could not load the end users' : users.isFetching || !users.data ? 'Searching…' : q ? 'No end user matches' : 'This instance has no end users yet'}
      error={error}
      comboboxProps={{ withinPortal: true }}
    />
  )
}
