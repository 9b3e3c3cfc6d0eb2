import { TextInput } from '@mantine/core'
import { useDebouncedCallback } from '@mantine/hooks'
import { IconSearch } from '@tabler/icons-react'
import { useState } from 'react'

/** How long typing pauses before the filter applies. */
export const FILTER_DEBOUNCE_MS = 350

/**
 * The "To" filter of both tabs: part of an address, case-insensitive (the server matches it). The
 * applied value lives in the URL (`?to=`); typing applies it once the user pauses, Enter at once.
 */
export function AddressFilter({ value, onChange, description }: { value: string; onChange: (to: string) => void; description: string }) {
  const [text, setText] = useState(value)
  const [applied, setApplied] = useState(value)
  // The URL changed from elsewhere (back, a link): show its value.
  if (value !== applied) {
    setApplied(value)
    if (value !== text.trim()) setText(value)
  }
  // Not flushed on unmount: a late write would bring the user back here after leaving.
  const apply = useDebouncedCallback((next: string) => onChange(next.trim()), FILTER_DEBOUNCE_MS)

  return (
    <TextInput
      label="To"
      type="search"
      placeholder="Part of an address"
      description={description}
      leftSection={<IconSearch size={16} aria-hidden />}
      value={text}
      onChange={(e) => {
        setText(e.currentTarget.value)
        apply(e.currentTarget.value)
      }}
      onKeyDown={(e) => {
        if (e.key === 'Enter') apply.flush()
      }}
    />
  )
}
