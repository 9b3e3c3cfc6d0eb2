import { Group, Input, SegmentedControl, Select, TextInput } from '@mantine/core'
import { useId, type ReactNode } from 'react'
import {
  changeWindow,
  defaultGranularity,
  FRAMES,
  GRANULARITIES,
  fits,
  MAX_POINTS,
  windowBounds,
  windowErrors,
  type Frame,
  type Granularity,
  type TimeWindow,
  type WindowErrors,
} from '../lib/timeWindow'

interface TimeWindowPickerProps {
  value: TimeWindow
  onChange: (value: TimeWindow) => void
  /** The instance's time zone: frames and days are its. */
  timeZone: string
  /** Offer the granularity of the series (minute … month). */
  withGranularity?: boolean
  /** The server's refusals, shown beside their field. */
  errors?: WindowErrors
  /** More controls at the end of the row (refresh...). */
  children?: ReactNode
}

/**
 * Today / This week / This month / This year / Custom days, and the granularity of the series:
 * options that would draw more than MAX_POINTS points are disabled.
 */
export function TimeWindowPicker({ value, onChange, timeZone, withGranularity = false, errors = {}, children }: TimeWindowPickerProps) {
  const labelId = useId()
  const change = (patch: Partial<TimeWindow>) => onChange(changeWindow(value, patch, timeZone))
  const bounds = windowBounds(value, timeZone)
  const local = windowErrors(value)
  const options = GRANULARITIES.map((g) => ({ ...g, disabled: !fits(bounds, g.value) }))
  const someDisabled = options.some((o) => o.disabled)
  return (
    <Group align="flex-start" gap="md" wrap="wrap">
      <Input.Wrapper label="Time frame" labelElement="div" id={labelId} description={`Times in ${timeZone}`}>
        <SegmentedControl<Frame>
          aria-labelledby={`${labelId}-label`}
          data={FRAMES}
          value={value.frame}
          onChange={(frame) => change({ frame })}
          display="flex"
        />
      </Input.Wrapper>
      {value.frame === 'custom' && (
        <>
          <TextInput
            label="From"
            type="date"
            value={value.from}
            max={value.to || undefined}
            onChange={(e) => change({ from: e.currentTarget.value })}
            error={local.from ?? errors.from}
            w={170}
          />
          <TextInput
            label="To"
            type="date"
            value={value.to}
            min={value.from || undefined}
            onChange={(e) => change({ to: e.currentTarget.value })}
            error={local.to ?? errors.to}
            w={170}
          />
        </>
      )}
      {withGranularity && (
        <Select
          label="Granularity"
          data={options}
          value={value.granularity ?? defaultGranularity(value, bounds)}
          onChange={(g) => change({ granularity: (g as Granularity | null) ?? null })}
          allowDeselect={false}
          description={someDisabled ? `At most ${MAX_POINTS.toLocaleString()} points` : undefined}
          error={errors.granularity}
          w={170}
        />
      )}
      {children}
    </Group>
  )
}
