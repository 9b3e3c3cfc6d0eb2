import { Alert, Badge, Button, Code, Collapse, Drawer, Group, JsonInput, NumberInput, Stack, Switch, Text } from '@mantine/core'
import { useDisclosure } from '@mantine/hooks'
import { IconAlertTriangle, IconCircleCheck, IconLock, IconRefresh } from '@tabler/icons-react'
import { useState, type ReactNode } from 'react'
import { formatDateTime } from '../../lib/datetime'
import { notifyError, notifySuccess } from '../../lib/forms'
import { errorMessage, type FieldError } from '../../lib/problem'
import { useUnsavedChangesGuard } from '../../lib/useUnsavedChangesGuard'
import { useReloadEntry, useResetEntry, useSetValue } from './api'
import { errorsBeside } from './fieldErrors'
import { FieldErrorList } from './FieldErrorList'
import { boundsLine, compactJson, errorsUnder, fieldErrorsOf, isStale, parseJson, prettyJson, schemaBounds, typeLine, type ConfigEntry, type InstanceRef, type ParsedJson } from './model'
import { JsonValue } from './StateDiff'

type Draft = { kind: 'number'; value: number | string } | { kind: 'boolean'; value: boolean } | { kind: 'json'; text: string }

function draftOf(entry: ConfigEntry): Draft {
  if (entry.type === 'integer' || entry.type === 'number') return { kind: 'number', value: typeof entry.value === 'number' ? entry.value : '' }
  if (entry.type === 'boolean') return { kind: 'boolean', value: entry.value === true }
  return { kind: 'json', text: prettyJson(entry.value) }
}

function valueOf(draft: Draft): ParsedJson {
  switch (draft.kind) {
    case 'boolean':
      return { ok: true, value: draft.value }
    case 'number': {
      const n = typeof draft.value === 'number' ? draft.value : draft.value.trim() === '' ? Number.NaN : Number(draft.value)
      return Number.isFinite(n) ? { ok: true, value: n } : { ok: false, message: 'Enter a number.' }
    }
    case 'json':
      return parseJson(draft.text)
  }
}

/** What the last check or save said. */
type Outcome = { kind: 'valid' } | { kind: 'refused'; errors: FieldError[]; message: string | null } | { kind: 'stale'; message: string }

function outcomeOf(error: unknown): Outcome {
  if (isStale(error)) return { kind: 'stale', message: errorMessage(error) }
  const errors = fieldErrorsOf(error)
  const placed = errorsUnder(errors, 'value').length
  // Errors beside the value say it all; anything else (another field, or no field) is said below.
  return { kind: 'refused', errors, message: placed > 0 && placed === errors.length ? null : errorMessage(error) }
}

/** "8 to 128 characters (a whole number)", "In seconds", "A whole number". */
function numberHint(entry: ConfigEntry, bounds: string | null): string {
  const range = bounds ?? (entry.unit ? `In ${entry.unit}` : null)
  if (entry.type !== 'integer') return range ?? 'A number'
  return range ? `${range} (a whole number)` : 'A whole number'
}

function ValueEditor({ entry, draft, onChange, error, disabled }: { entry: ConfigEntry; draft: Draft; onChange: (d: Draft) => void; error: ReactNode; disabled: boolean }) {
  const bounds = boundsLine(entry)
  if (draft.kind === 'number') {
    const { min, max } = schemaBounds(entry.schema)
    return (
      <NumberInput
        label="Value"
        description={numberHint(entry, bounds)}
        value={draft.value}
        onChange={(v) => onChange({ kind: 'number', value: v })}
        min={min}
        max={max}
        allowDecimal={entry.type === 'number'}
        thousandSeparator={false}
        error={error}
        disabled={disabled}
        maw={360}
      />
    )
  }
  if (draft.kind === 'boolean') {
    return (
      <Switch
        label="Value"
        description={draft.value ? 'On (true)' : 'Off (false)'}
        checked={draft.value}
        onChange={(e) => onChange({ kind: 'boolean', value: e.currentTarget.checked })}
        error={error}
        disabled={disabled}
      />
    )
  }
  return (
    <JsonInput
      label="Value"
      description="JSON that the entry's schema accepts; formatted when you leave the field."
      value={draft.text}
      onChange={(text) => onChange({ kind: 'json', text })}
      formatOnBlur
      validationError="Not valid JSON: check the quotes, commas and brackets."
      autosize
      minRows={4}
      maxRows={20}
      error={error}
      disabled={disabled}
      spellCheck={false}
      styles={{ input: { fontFamily: 'var(--mantine-font-family-monospace)', fontSize: 'var(--mantine-font-size-xs)' } }}
    />
  )
}

function EntryFacts({ entry, timeZone }: { entry: ConfigEntry; timeZone: string }) {
  const [schemaShown, { toggle }] = useDisclosure(false)
  return (
    <Stack gap={6}>
      <Text size="sm">{entry.description || <Text span c="dimmed">No description.</Text>}</Text>
      <Group gap="xs">
        <Badge variant="light" color="gray" tt="none">
          {typeLine(entry)}
        </Badge>
        <Badge variant="light" color={entry.builtin ? 'blue' : 'grape'}>
          {entry.builtin ? 'Built in' : 'Custom'}
        </Badge>
        {entry.public && (
          <Badge variant="light" color="orange">
            Public
          </Badge>
        )}
        {!entry.is_set && (
          <Badge variant="outline" color="gray">
            Default
          </Badge>
        )}
      </Group>
      <Text size="sm">
        Default: <Code>{compactJson(entry.default)}</Code>
        {entry.is_set && (
          <>
            {' · '}In force: <Code>{compactJson(entry.value)}</Code>
          </>
        )}
      </Text>
      <Text size="xs" c="dimmed">
        {entry.updated_at ? `Last changed ${formatDateTime(entry.updated_at, timeZone)}${entry.updated_by ? ` by ${entry.updated_by}` : ''}.` : 'Never changed.'} Version{' '}
        {entry.version}.
      </Text>
      <div>
        <Button variant="subtle" size="compact-xs" onClick={toggle} aria-expanded={schemaShown}>
          {schemaShown ? 'Hide the JSON Schema' : 'Show the JSON Schema'}
        </Button>
        <Collapse expanded={schemaShown}>
          <Code block mt={4} aria-label={`JSON Schema of ${entry.key}`}>
            {prettyJson(entry.schema)}
          </Code>
        </Collapse>
      </div>
    </Stack>
  )
}

function EntryForm({ instance, initial, editable, onClose }: { instance: InstanceRef; initial: ConfigEntry; editable: boolean; onClose: () => void }) {
  const [entry, setEntry] = useState(initial)
  const [draft, setDraft] = useState<Draft>(() => draftOf(initial))
  const [localError, setLocalError] = useState<string | null>(null)
  const [outcome, setOutcome] = useState<Outcome | null>(null)
  const setValue = useSetValue(instance.slug)
  const reset = useResetEntry(instance.slug)
  const reload = useReloadEntry(instance.slug)
  const pending = setValue.isPending || reset.isPending || reload.isPending
  const saving = setValue.isPending && !setValue.variables?.dryRun
  const checking = setValue.isPending && setValue.variables?.dryRun === true

  const parsed = valueOf(draft)
  const dirty = !parsed.ok || JSON.stringify(parsed.value) !== JSON.stringify(entry.value)
  const leaveGuard = useUnsavedChangesGuard(editable && dirty && !pending, `Your change to ${entry.key} is not saved; it will be lost.`)

  const change = (next: Draft) => {
    setDraft(next)
    setLocalError(null)
    setOutcome(null)
  }

  const send = (dryRun: boolean) => {
    const value = valueOf(draft)
    if (!value.ok) {
      setLocalError(value.message)
      return
    }
    setLocalError(null)
    setOutcome(null)
    setValue.mutate(
      { key: entry.key, value: value.value, version: entry.version, dryRun },
      {
        onSuccess: (saved) => {
          if (dryRun) {
            setOutcome({ kind: 'valid' })
            return
          }
          notifySuccess(`${saved.key} saved: ${compactJson(saved.value)}`)
          onClose()
        },
        onError: (error) => setOutcome(outcomeOf(error)),
      },
    )
  }

  const resetToDefault = () => {
    setOutcome(null)
    reset.mutate(
      { key: entry.key, version: entry.version },
      {
        onSuccess: (saved) => {
          notifySuccess(`${saved.key} is back to its default: ${compactJson(saved.value)}`)
          onClose()
        },
        onError: (error) => setOutcome(outcomeOf(error)),
      },
    )
  }

  const reloadEntry = () =>
    reload.mutate(entry.key, {
      onSuccess: (fresh) => {
        setEntry(fresh)
        setDraft(draftOf(fresh))
        setOutcome(null)
        setLocalError(null)
      },
      onError: (error) => notifyError(error, `Could not read ${entry.key}`),
    })

  const serverErrors = outcome?.kind === 'refused' ? outcome.errors : []
  const beside = localError ?? errorsBeside(serverErrors, 'value')
  const elsewhere = serverErrors.filter((e) => errorsUnder([e], 'value').length === 0)

  return (
    <Stack gap="md">
      {leaveGuard}
      <EntryFacts entry={entry} timeZone={instance.timeZone} />
      {!editable ? (
        <>
          <Stack gap={4}>
            <Text size="sm" fw={500}>
              Value in force
            </Text>
            <JsonValue value={entry.value} />
          </Stack>
          <Alert variant="light" color="gray" icon={<IconLock size={18} aria-hidden />} p="sm">
            Your role on this instance is {instance.role}: only admins and owners can change the configuration.
          </Alert>
        </>
      ) : (
        <form
          noValidate
          aria-label={`Value of ${entry.key}`}
          onSubmit={(event) => {
            event.preventDefault()
            send(false)
          }}
        >
          <Stack gap="md">
            <ValueEditor entry={entry} draft={draft} onChange={change} error={beside} disabled={pending} />
            {outcome?.kind === 'valid' && (
              <Group gap={6} role="status">
                <IconCircleCheck size={18} color="var(--mantine-color-teal-7)" aria-hidden />
                <Text size="sm" c="teal" fw={500}>
                  Valid
                </Text>
                <Text size="sm" c="dimmed">
                  — the schema accepts this value; nothing was saved.
                </Text>
              </Group>
            )}
            {outcome?.kind === 'refused' && (outcome.message || elsewhere.length > 0) && (
              <Alert color="red" role="alert" title="Refused">
                {elsewhere.length > 0 ? <FieldErrorList errors={elsewhere} label="Other errors" /> : outcome.message}
              </Alert>
            )}
            {outcome?.kind === 'stale' && (
              <Alert color="yellow" role="alert" icon={<IconAlertTriangle size={18} aria-hidden />} title={`${entry.key} changed since you opened it — reload`}>
                <Stack gap="xs" align="flex-start">
                  <Text size="sm">Someone saved it in the meantime. Reload to see the value in force now, then make your change again.</Text>
                  <Button size="xs" variant="light" color="yellow" leftSection={<IconRefresh size={14} aria-hidden />} onClick={reloadEntry} loading={reload.isPending}>
                    Reload
                  </Button>
                </Stack>
              </Alert>
            )}
            <Group justify="space-between">
              <Group gap="xs">
                <Button type="submit" loading={saving} disabled={pending && !saving}>
                  Save
                </Button>
                <Button variant="default" onClick={() => send(true)} loading={checking} disabled={pending && !checking}>
                  Check
                </Button>
                <Button variant="subtle" color="gray" onClick={onClose} disabled={pending}>
                  Cancel
                </Button>
              </Group>
              {entry.is_set && (
                <Button variant="subtle" color="red" onClick={resetToDefault} loading={reset.isPending} disabled={pending && !reset.isPending}>
                  Reset to default
                </Button>
              )}
            </Group>
          </Stack>
        </form>
      )}
    </Stack>
  )
}

/** An entry's documentation and value; admins and owners edit it (check, save with If-Match, reset). */
export function EntryDrawer({ instance, entry, editable, onClose }: { instance: InstanceRef; entry: ConfigEntry | null; editable: boolean; onClose: () => void }) {
  return (
    <Drawer
      opened={entry !== null}
      onClose={onClose}
      position="right"
      size="lg"
      title={entry ? `${editable ? 'Edit' : 'View'} ${entry.key}` : ''}
      closeButtonProps={{ 'aria-label': 'Close' }}
      styles={{ title: { fontFamily: 'var(--mantine-font-family-monospace)', fontWeight: 600 } }}
    >
      {entry && <EntryForm key={`${entry.key}`} instance={instance} initial={entry} editable={editable} onClose={onClose} />}
    </Drawer>
  )
}
