import { useMemo } from 'react'
import { SearchableSelect, type SearchableSelectProps } from '../../components/SearchableSelect'
import { filterTimeZones, timeZoneLabel, timeZoneOptions, timeZones } from './timeZones'

type Props = Omit<SearchableSelectProps, 'data' | 'noMatchMessage' | 'value'> & { value?: string | null }

/**
 * A searchable select of IANA time zones, each with its offset from UTC now ("Europe/Athens
 * (UTC+02:00)"); search by name ("athens", "new york") or by offset ("+2", "UTC-05:00"). A typed
 * text that matches no zone is never taken (see SearchableSelect).
 */
export function TimeZoneSelect({ value = null, ...props }: Props) {
  // Offsets as of when the picker appears (a change of daylight saving time meanwhile is rare).
  const known = useMemo(() => timeZoneOptions(timeZones()), [])
  // Keep a stored value selectable even if this browser does not list it.
  const data = useMemo(
    () => (value && !known.some((o) => o.value === value) ? [{ value, label: timeZoneLabel(value) }, ...known] : known),
    [known, value],
  )
  return (
    <SearchableSelect
      label="Time zone"
      limit={50}
      nothingFoundMessage="No such time zone"
      allowDeselect={false}
      {...props}
      value={value}
      data={data}
      filter={filterTimeZones}
      noMatchMessage={(typed) => `No time zone matches “${typed}”: choose one from the list (search by city or by offset, e.g. +02:00).`}
    />
  )
}
