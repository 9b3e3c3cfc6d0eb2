import { Alert, Button, Code, Drawer, Group, JsonInput, Stack, Switch, Text, Textarea, TextInput } from '@mantine/core'
import { IconAlertTriangle, IconCircleCheck, IconRefresh } from '@tabler/icons-react'
import { useState, type ReactNode } from 'react'
import { notifyError, notifySuccess } from '../../lib/forms'
import { ApiError, errorMessage, type FieldError } from '../../lib/problem'
import { useUnsavedChangesGuard } from '../../lib/useUnsavedChangesGuard'
import { useCreateEntry, useRedefineEntry, useReloadEntry } from './api'
import { errorsBeside } from './fieldErrors'
import { FieldErrorList } from './FieldErrorList'
import { errorsUnder, fieldErrorsOf, isStale, parseJson, prettyJson, type ConfigDefinitionInput, type ConfigEntry, type InstanceRef } from './model'

interface Values {
  key: string
  description: string
  schema: string
  default: string
  public: boolean
}

const NEW_ENTRY: Values = {
  key: '',
  description: '',
  schema: prettyJson({ type: 'string', maxLength: 200 }),
  default: prettyJson(''),
  public: false,
}

function valuesOf(entry: ConfigEntry): Values {
  return { key: entry.key, description: entry.description, schema: prettyJson(entry.schema), default: prettyJson(entry.default), public: entry.public }
}

/** The inputs the server's fields belong to. */
const FIELDS = ['key', 'description', 'schema', 'default'] as const
type Field = (typeof FIELDS)[number]

type Outcome = { kind: 'valid' } | { kind: 'refused'; errors: FieldError[]; keyError: string | null; message: string | null } | { kind: 'stale'; message: string }

function outcomeOf(error: unknown): Outcome {
  if (isStale(error)) return { kind: 'stale', message: errorMessage(error) }
  if (error instanceof ApiError && error.code === 'key_taken') return { kind: 'refused', errors: [], keyError: errorMessage(error), message: null }
  const errors = fieldErrorsOf(error)
  const placed = errors.filter((e) => FIELDS.some((f) => errorsUnder([e], f).length > 0)).length
  return { kind: 'refused', errors, keyError: null, message: placed > 0 && placed === errors.length ? null : errorMessage(error) }
}

const mono = { input: { fontFamily: 'var(--mantine-font-family-monospace)', fontSize: 'var(--mantine-font-size-xs)' } }

function DefinitionForm({ instance, entry, onClose }: { instance: InstanceRef; entry: ConfigEntry | null; onClose: () => void }) {
  const creating = entry === null
  const [version, setVersion] = useState(entry?.version ?? 0)
  const [saved, setSaved] = useState<Values>(() => (entry ? valuesOf(entry) : NEW_ENTRY))
  const [values, setValues] = useState<Values>(saved)
  const [local, setLocal] = useState<Partial<Record<Field, string>>>({})
  const [outcome, setOutcome] = useState<Outcome | null>(null)
  const create = useCreateEntry(instance.slug)
  const redefine = useRedefineEntry(instance.slug)
  const reload = useReloadEntry(instance.slug)
  const mutation = creating ? create : redefine
  const pending = create.isPending || redefine.isPending || reload.isPending
  const saving = mutation.isPending && !mutation.variables?.dryRun
  const checking = mutation.isPending && mutation.variables?.dryRun === true
  const dirty = JSON.stringify(values) !== JSON.stringify(saved)
  const leaveGuard = useUnsavedChangesGuard(dirty && !pending, creating ? 'The new entry is not created yet; what you entered will be lost.' : `Your changes to the definition of ${values.key} are not saved.`)

  const set = <K extends keyof Values>(field: K, value: Values[K]) => {
    setValues((v) => ({ ...v, [field]: value }))
    setLocal((l) => ({ ...l, [field]: undefined }))
    setOutcome(null)
  }

  const send = (dryRun: boolean) => {
    const schema = parseJson(values.schema)
    const fallback = parseJson(values.default)
    const problems: Partial<Record<Field, string>> = {}
    if (creating && !values.key.trim()) problems.key = 'Enter a key, e.g. pricing.tiers.'
    if (!values.description.trim()) problems.description = 'Describe what the entry is for.'
    if (!schema.ok) problems.schema = schema.message
    if (!fallback.ok) problems.default = fallback.message
    setLocal(problems)
    setOutcome(null)
    if (!schema.ok || !fallback.ok || Object.keys(problems).length > 0) return
    const definition: ConfigDefinitionInput = { description: values.description.trim(), schema: schema.value, default: fallback.value, public: values.public }
    const key = values.key.trim()
    const onSuccess = (result: ConfigEntry) => {
      if (dryRun) {
        setOutcome({ kind: 'valid' })
        return
      }
      setSaved(values)
      notifySuccess(creating ? `${result.key} created` : `Definition of ${result.key} saved`)
      onClose()
    }
    const onError = (error: unknown) => setOutcome(outcomeOf(error))
    if (creating) create.mutate({ key, definition, dryRun }, { onSuccess, onError })
    else redefine.mutate({ key, definition, dryRun, version }, { onSuccess, onError })
  }

  const reloadEntry = () =>
    reload.mutate(values.key, {
      onSuccess: (fresh) => {
        setVersion(fresh.version)
        setSaved(valuesOf(fresh))
        setValues(valuesOf(fresh))
        setOutcome(null)
      },
      onError: (error) => notifyError(error, `Could not read ${values.key}`),
    })

  const errors = outcome?.kind === 'refused' ? outcome.errors : []
  const errorOf = (field: Field): ReactNode => {
    if (local[field]) return local[field]
    if (field === 'key' && outcome?.kind === 'refused' && outcome.keyError) return outcome.keyError
    return errorsBeside(errors, field)
  }
  const elsewhere = errors.filter((e) => !FIELDS.some((f) => errorsUnder([e], f).length > 0))

  return (
    <form
      noValidate
      aria-label={creating ? 'New entry' : `Definition of ${values.key}`}
      onSubmit={(event) => {
        event.preventDefault()
        send(false)
      }}
    >
      {leaveGuard}
      <Stack gap="md">
        {creating ? (
          <TextInput
            label="Key"
            description="Lowercase words separated by dots (letters, digits, _), e.g. pricing.tiers. Not under a built-in entry's namespace."
            placeholder="pricing.tiers"
            value={values.key}
            onChange={(e) => set('key', e.currentTarget.value)}
            error={errorOf('key')}
            disabled={pending}
            spellCheck={false}
            autoComplete="off"
            styles={mono}
            data-autofocus
          />
        ) : (
          <Text size="sm">
            Key: <Code>{values.key}</Code>
          </Text>
        )}
        <Textarea
          label="Description"
          description="What it is for and who reads it (shown in the console)."
          value={values.description}
          onChange={(e) => set('description', e.currentTarget.value)}
          error={errorOf('description')}
          disabled={pending}
          autosize
          minRows={2}
          maxLength={1000}
        />
        <JsonInput
          label="JSON Schema"
          description="Every value must pass it (draft 2020-12 unless $schema names another; no remote $ref)."
          value={values.schema}
          onChange={(text) => set('schema', text)}
          error={errorOf('schema')}
          disabled={pending}
          formatOnBlur
          validationError="Not valid JSON: check the quotes, commas and brackets."
          autosize
          minRows={4}
          maxRows={18}
          spellCheck={false}
          styles={mono}
        />
        <JsonInput
          label="Default"
          description="In force until a value is set; must pass the schema."
          value={values.default}
          onChange={(text) => set('default', text)}
          error={errorOf('default')}
          disabled={pending}
          formatOnBlur
          validationError="Not valid JSON: check the quotes, commas and brackets."
          autosize
          minRows={2}
          maxRows={12}
          spellCheck={false}
          styles={mono}
        />
        <Switch
          label="Public"
          description="The instance's applications may read it without credentials (GET /public/v1/{instance}/config). Never make a secret public."
          checked={values.public}
          onChange={(e) => set('public', e.currentTarget.checked)}
          disabled={pending}
        />
        {outcome?.kind === 'valid' && (
          <Group gap={6} role="status">
            <IconCircleCheck size={18} color="var(--mantine-color-teal-7)" aria-hidden />
            <Text size="sm" c="teal" fw={500}>
              Valid
            </Text>
            <Text size="sm" c="dimmed">
              — the schema compiles and the default passes it; nothing was saved.
            </Text>
          </Group>
        )}
        {outcome?.kind === 'refused' && (outcome.message || elsewhere.length > 0) && (
          <Alert color="red" role="alert" title={creating ? 'Could not create the entry' : 'Could not save the definition'}>
            {elsewhere.length > 0 ? <FieldErrorList errors={elsewhere} label="Other errors" /> : outcome.message}
          </Alert>
        )}
        {outcome?.kind === 'stale' && (
          <Alert color="yellow" role="alert" icon={<IconAlertTriangle size={18} aria-hidden />} title={`${values.key} changed since you opened it — reload`}>
            <Stack gap="xs" align="flex-start">
              <Text size="sm">Someone saved it in the meantime. Reload to see its definition now, then make your change again.</Text>
              <Button size="xs" variant="light" color="yellow" leftSection={<IconRefresh size={14} aria-hidden />} onClick={reloadEntry} loading={reload.isPending}>
                Reload
              </Button>
            </Stack>
          </Alert>
        )}
        <Group gap="xs">
          <Button type="submit" loading={saving} disabled={pending && !saving}>
            {creating ? 'Create entry' : 'Save'}
          </Button>
          <Button variant="default" onClick={() => send(true)} loading={checking} disabled={pending && !checking}>
            Check
          </Button>
          <Button variant="subtle" color="gray" onClick={onClose} disabled={pending}>
            Cancel
          </Button>
        </Group>
      </Stack>
    </form>
  )
}

/** Defines a custom entry (`entry` null) or changes a custom entry's definition. */
export function DefinitionDrawer({ instance, opened, entry, onClose }: { instance: InstanceRef; opened: boolean; entry: ConfigEntry | null; onClose: () => void }) {
  return (
    <Drawer
      opened={opened}
      onClose={onClose}
      position="right"
      size="lg"
      title={entry ? `Edit the definition of ${entry.key}` : 'New entry'}
      closeButtonProps={{ 'aria-label': 'Close' }}
    >
      {opened && <DefinitionForm key={entry?.key ?? '(new)'} instance={instance} entry={entry} onClose={onClose} />}
    </Drawer>
  )
}
