import { ActionIcon, Button, Group, NumberInput, Paper, Select, Slider, Stack, Text, Title, type NumberInputHandlers } from '@mantine/core'
import { IconMinus, IconPlus } from '@tabler/icons-react'
import { useRef, useState } from 'react'
import type { FieldError } from '../../lib/problem'
import { fieldErrorText } from './fieldErrors'
import type { EmailStyle } from './model'

/** Font family and size of every email; the preview follows the chosen values at once. */
export function FontPanel({
  fonts,
  min,
  max,
  value,
  saved,
  onChange,
  onSave,
  saving,
  editable,
  errors,
}: {
  fonts: string[]
  min: number
  max: number
  value: EmailStyle
  saved: EmailStyle
  onChange: (style: EmailStyle) => void
  onSave: () => void
  saving: boolean
  editable: boolean
  errors: FieldError[]
}) {
  const dirty = value.font_family !== saved.font_family || value.font_size !== saved.font_size
  // What is typed in the size box: "1" on the way to "18" must not reach the preview (nor be
  // clamped to the minimum while typing); only sizes within the range do.
  const [typed, setTyped] = useState<number | string>(value.font_size)
  const [shown, setShown] = useState(value.font_size)
  if (shown !== value.font_size) {
    setShown(value.font_size)
    setTyped(value.font_size)
  }
  const inRange = (n: number) => Number.isInteger(n) && n >= min && n <= max
  // Named steppers in the tab order (Mantine's own are mouse-only); ↑ and ↓ in the box step too.
  const steps = useRef<NumberInputHandlers | undefined>(undefined)
  return (
    <Paper withBorder radius="md" p="md" component="section" aria-labelledby="font-heading" h="100%">
      <Stack gap="sm">
        <div>
          <Title order={2} fz="h5" id="font-heading">
            Font
          </Title>
          <Text size="xs" c="dimmed">
            Of every email of this instance.
          </Text>
        </div>
        <Select
          label="Font family"
          data={fonts}
          value={value.font_family}
          allowDeselect={false}
          disabled={!editable}
          // `fonts` is the server's list of the same families the schema enumerates.
          onChange={(family) => family && onChange({ ...value, font_family: family as EmailStyle['font_family'] })}
          renderOption={({ option }) => <span style={{ fontFamily: option.value }}>{option.label}</span>}
          styles={{ input: { fontFamily: value.font_family } }}
          error={fieldErrorText(errors, 'font_family')}
          comboboxProps={{ withinPortal: true }}
        />
        <NumberInput
          label="Font size"
          suffix=" px"
          min={min}
          max={max}
          step={1}
          allowDecimal={false}
          clampBehavior="blur"
          value={typed}
          disabled={!editable}
          selectAllOnFocus
          hideControls
          handlersRef={steps}
          leftSection={
            editable ? (
              <ActionIcon variant="subtle" color="gray" size="sm" aria-label="Decrease font size" disabled={value.font_size <= min} onClick={() => steps.current?.decrement()}>
                <IconMinus size={14} aria-hidden />
              </ActionIcon>
            ) : undefined
          }
          leftSectionPointerEvents="all"
          rightSection={
            editable ? (
              <ActionIcon variant="subtle" color="gray" size="sm" aria-label="Increase font size" disabled={value.font_size >= max} onClick={() => steps.current?.increment()}>
                <IconPlus size={14} aria-hidden />
              </ActionIcon>
            ) : undefined
          }
          rightSectionPointerEvents="all"
          onChange={(size) => {
            setTyped(size)
            if (typeof size === 'number' && inRange(size)) onChange({ ...value, font_size: size })
          }}
          onBlur={() => setTyped(value.font_size)}
          error={fieldErrorText(errors, 'font_size')}
        />
        <Slider
          thumbLabel="Font size slider"
          min={min}
          max={max}
          step={1}
          value={value.font_size}
          disabled={!editable}
          onChange={(size) => onChange({ ...value, font_size: size })}
          label={(v) => `${v} px`}
          marks={[
            { value: min, label: `${min}` },
            { value: max, label: `${max}` },
          ]}
          mb="md"
        />
        <Text
          size="sm"
          p="xs"
          style={{ fontFamily: value.font_family, fontSize: value.font_size, border: '1px dashed var(--mantine-color-gray-3)', borderRadius: 6, overflowWrap: 'anywhere' }}
          aria-hidden
        >
          Aa — The quick brown fox
        </Text>
        {editable && (
          <Group gap="xs">
            <Button size="xs" onClick={onSave} loading={saving} disabled={!dirty}>
              Save font
            </Button>
            {dirty && (
              <Button size="xs" variant="default" onClick={() => onChange(saved)} disabled={saving}>
                Undo
              </Button>
            )}
          </Group>
        )}
        {dirty && (
          <Text size="xs" c="orange.8">
            The preview uses this font; save it to use it in emails.
          </Text>
        )}
      </Stack>
    </Paper>
  )
}
