import { Select, type SelectProps } from '@mantine/core'
import { useMemo } from 'react'
import { timeZones } from './timeZones'

/** A searchable select of IANA time zones. */
export function TimeZoneSelect(props: Omit<SelectProps, 'data'>) {
  const data = useMemo(() => {
    const zones = timeZones()
    // Keep a stored value selectable even if this browser does not list it.
    if (typeof props.value === 'string' && props.value && !zones.includes(props.value)) zones.unshift(props.value)
    return zones
  }, [props.value])
  return (
    <Select
      label="Time zone"
      searchable
      limit={50}
      nothingFoundMessage="No such time zone"
      allowDeselect={false}
      {...props}
      data={data}
    />
  )
}
