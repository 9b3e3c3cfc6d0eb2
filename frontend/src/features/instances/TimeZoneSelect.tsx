import { Select, type SelectProps } from '@mantine/core'
import { useMemo } from 'react'

export function timeZones(): string[] {
  let zones: string[] = []
  try {
    zones = Intl.supportedValuesOf('timeZone')
  } catch {
    zones = []
  }
  if (!zones.includes('UTC')) zones = ['UTC', ...zones]
  return zones
}

export function browserTimeZone(): string {
  try {
    return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC'
  } catch {
    return 'UTC'
  }
}

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
