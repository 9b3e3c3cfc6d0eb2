import {
  defaultOptionsFilter,
  getParsedComboboxData,
  isOptionsGroup,
  Select,
  type ComboboxItem,
  type ComboboxParsedItem,
  type OptionsFilter,
  type SelectProps,
} from '@mantine/core'
import { useMemo, useRef, useState, type FocusEvent, type KeyboardEvent, type MouseEvent } from 'react'

export interface SearchableSelectProps extends Omit<SelectProps, 'searchable' | 'value' | 'selectFirstOptionOnChange'> {
  value: string | null
  /** The inline error while the typed text matches no option, e.g. `No time zone matches “xyz”`. */
  noMatchMessage: (typed: string) => string
  /**
   * For options searched elsewhere (a server, for the typed text): how many options match it, or
   * `null` while the answer is not in yet. Without it, `filter` (or Mantine's) over `data` decides.
   */
  remoteMatches?: number | null
}

/** Said when Enter is pressed on a typed text before an option was picked. */
export const PICK_FROM_LIST = 'Choose one of the options in the list.'

function countOptions(items: ComboboxParsedItem[]): number {
  return items.reduce((n, item) => n + (isOptionsGroup(item) ? countOptions(item.items) : 1), 0)
}

function findOption(items: ComboboxParsedItem[], value: string | null): ComboboxItem | undefined {
  if (value === null) return undefined
  for (const item of items) {
    if (isOptionsGroup(item)) {
      const found = findOption(item.items, value)
      if (found) return found
    } else if (item.value === value) return item
  }
  return undefined
}

/**
 * A searchable Select that never takes a text it cannot match. Its text is selected on focus (so
 * typing replaces it); while the typed text matches no option an inline error says so; Enter
 * submits no form until an option is picked (it picks the first match when the list is open);
 * and leaving the field brings back the last option chosen.
 */
export function SearchableSelect({
  value,
  noMatchMessage,
  remoteMatches,
  data,
  filter,
  error,
  searchValue,
  onSearchChange,
  onDropdownOpen,
  onDropdownClose,
  onFocus,
  onBlur,
  onMouseDown,
  onMouseUp,
  onKeyDown,
  ...props
}: SearchableSelectProps) {
  // Values are strings here (SelectProps' default).
  const parsed = useMemo(() => getParsedComboboxData(data) as ComboboxParsedItem[], [data])
  // The chosen option, remembered while a server search leaves it out of `data`.
  const selected = findOption(parsed, value)
  const [known, setKnown] = useState<ComboboxItem | null>(null)
  if (selected && (known?.value !== selected.value || known.label !== selected.label)) setKnown(selected)
  const selectedLabel = value === null ? '' : (selected?.label ?? (known?.value === value ? known.label : ''))

  const [ownSearch, setOwnSearch] = useState(selectedLabel)
  const search = searchValue ?? ownSearch
  const [opened, setOpened] = useState(false)
  const [pickRefused, setPickRefused] = useState(false)
  // Focus that comes with a click: the click's mouseup must not undo the selected text.
  const clickFocus = useRef(false)

  const typed = search.trim()
  const editing = search !== selectedLabel
  const matches =
    remoteMatches !== undefined
      ? remoteMatches
      : countOptions(((filter ?? defaultOptionsFilter) as OptionsFilter)({ options: parsed, search: typed, limit: Number.POSITIVE_INFINITY }))
  const noMatch = editing && typed !== '' && matches === 0
  const shownError = noMatch ? noMatchMessage(typed) : editing && pickRefused ? PICK_FROM_LIST : error

  return (
    <Select
      {...props}
      data={data}
      filter={filter}
      value={value}
      searchable
      selectFirstOptionOnChange
      searchValue={search}
      onSearchChange={(next) => {
        setOwnSearch(next)
        setPickRefused(false)
        onSearchChange?.(next)
      }}
      error={shownError}
      onDropdownOpen={() => {
        setOpened(true)
        onDropdownOpen?.()
      }}
      onDropdownClose={() => {
        setOpened(false)
        onDropdownClose?.()
      }}
      onMouseDown={(event: MouseEvent<HTMLInputElement>) => {
        if (document.activeElement !== event.currentTarget) clickFocus.current = true
        onMouseDown?.(event)
      }}
      onFocus={(event: FocusEvent<HTMLInputElement>) => {
        event.currentTarget.select()
        onFocus?.(event)
      }}
      onMouseUp={(event: MouseEvent<HTMLInputElement>) => {
        if (clickFocus.current) {
          clickFocus.current = false
          event.preventDefault()
          event.currentTarget.select()
        }
        onMouseUp?.(event)
      }}
      onBlur={(event: FocusEvent<HTMLInputElement>) => {
        clickFocus.current = false
        setPickRefused(false)
        onBlur?.(event)
      }}
      onKeyDown={(event: KeyboardEvent<HTMLInputElement>) => {
        if (event.key === 'Enter' && editing) {
          if (opened && matches !== null && matches > 0) {
            // Mantine picks the highlighted option; when options arrived after the text was typed
            // none is highlighted, and Enter takes the first match.
            const list = document.getElementById(event.currentTarget.getAttribute('aria-controls') ?? '')
            const first = list?.querySelector('[data-combobox-selected]') ? null : list?.querySelector<HTMLElement>('[data-combobox-option]:not([data-combobox-disabled])')
            if (first !== null) {
              event.preventDefault()
              if (first) first.click()
              else setPickRefused(true)
            }
          } else {
            event.preventDefault()
            setPickRefused(true)
          }
        }
        onKeyDown?.(event)
      }}
    />
  )
}
