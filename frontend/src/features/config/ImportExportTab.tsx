import { Alert, Badge, Button, Group, Loader, Paper, ScrollArea, Stack, Text } from '@mantine/core'
import { IconAlertTriangle, IconCircleCheck, IconDownload, IconFileCode, IconRefresh, IconUpload } from '@tabler/icons-react'
import { useState } from 'react'
import { FileDropZone } from '../../components/FileDropZone'
import { Panel } from '../../components/Panel'
import { notifyError, notifySuccess } from '../../lib/forms'
import { ApiError, errorMessage } from '../../lib/problem'
import { useExportConfig, useImportConfig } from './api'
import { FieldErrorList } from './FieldErrorList'
import {
  CHANGE_COLORS,
  changeKind,
  changesCount,
  exportFileName,
  formatBytes,
  IMPORT_MAX_BYTES,
  isStale,
  mayWriteConfig,
  type ChangeKind,
  type ConfigChange,
  type ConfigChangeSet,
  type ConfigDocument,
  type InstanceRef,
} from './model'
import { ReadOnlyNotice } from './ReadOnlyNotice'
import { StateDiff } from './StateDiff'

const KIND_LABELS: Record<ChangeKind, string> = { added: 'Added', changed: 'Changed', removed: 'Removed' }

/** Reads a chosen file as a configuration document, or says why it is not one. */
async function readDocument(file: File): Promise<{ ok: true; document: ConfigDocument } | { ok: false; message: string }> {
  if (file.size > IMPORT_MAX_BYTES) {
    return { ok: false, message: `${file.name} is ${formatBytes(file.size)}: a configuration file is at most ${formatBytes(IMPORT_MAX_BYTES)}.` }
  }
  let parsed: unknown
  try {
    parsed = JSON.parse(await file.text())
  } catch (error) {
    const why = error instanceof Error ? error.message : String(error)
    return { ok: false, message: `${file.name} is not valid JSON (${why}). Choose a file Steward exported (Import & export → Export).` }
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    return { ok: false, message: `${file.name} is not a configuration document: it should be a JSON object with "format": "steward.configuration/v1".` }
  }
  return { ok: true, document: parsed as ConfigDocument }
}

function summary(changes: ConfigChange[]): string {
  const counts: Record<ChangeKind, number> = { added: 0, changed: 0, removed: 0 }
  for (const c of changes) counts[changeKind(c)]++
  const parts = (['added', 'changed', 'removed'] as const).filter((k) => counts[k] > 0).map((k) => `${counts[k]} ${k}`)
  return `${changesCount(changes.length)}: ${parts.join(', ')}.`
}

function ChangeList({ changes }: { changes: ConfigChange[] }) {
  return (
    <ScrollArea.Autosize mah={520} type="auto">
      <Stack gap="sm" component="ul" p={0} m={0} style={{ listStyle: 'none' }} aria-label="Changes to apply">
        {changes.map((c) => {
          const kind = changeKind(c)
          return (
            <Paper key={c.key} component="li" withBorder radius="sm" p="sm" data-kind={kind}>
              <Group gap="xs" mb={6}>
                <Badge variant="light" color={CHANGE_COLORS[kind]}>
                  {KIND_LABELS[kind]}
                </Badge>
                <Text ff="monospace" size="sm" fw={600}>
                  {c.key}
                </Text>
              </Group>
              <StateDiff label={`${KIND_LABELS[kind]}: ${c.key}`} before={c.before} after={c.after} />
            </Paper>
          )
        })}
      </Stack>
    </ScrollArea.Autosize>
  )
}

/** A refused document: the server's per-field errors (`entries.<key>.value/...`), else its message. */
function Refusal({ error, title }: { error: unknown; title: string }) {
  const fields = error instanceof ApiError ? error.fieldErrors : []
  return (
    <Alert color="red" title={title} role="alert">
      {fields.length > 0 ? (
        <Stack gap={6}>
          <Text size="sm">{errorMessage(error)}</Text>
          <FieldErrorList errors={fields} label="Problems in the file" />
        </Stack>
      ) : (
        errorMessage(error)
      )}
    </Alert>
  )
}

function ImportPanel({ slug }: { slug: string }) {
  const check = useImportConfig(slug)
  const apply = useImportConfig(slug)
  const [file, setFile] = useState<{ name: string; size: number } | null>(null)
  const [document, setDocument] = useState<ConfigDocument | null>(null)
  const [fileError, setFileError] = useState<string | null>(null)
  const [reading, setReading] = useState(false)
  const [done, setDone] = useState<ConfigChangeSet | null>(null)
  const preview = check.data

  const runCheck = (doc: ConfigDocument) => {
    apply.reset()
    check.mutate({ document: doc, dryRun: true })
  }

  const onFile = async (chosen: File) => {
    check.reset()
    apply.reset()
    setDone(null)
    setDocument(null)
    setFileError(null)
    setFile({ name: chosen.name, size: chosen.size })
    setReading(true)
    const read = await readDocument(chosen)
    setReading(false)
    if (!read.ok) {
      setFileError(read.message)
      return
    }
    setDocument(read.document)
    runCheck(read.document)
  }

  const applyChanges = () => {
    if (!document || !preview) return
    apply.mutate(
      { document, dryRun: false, revision: preview.revision },
      {
        onSuccess: (result) => {
          notifySuccess(`Configuration imported: ${changesCount(result.changes.length)} applied`)
          setDone(result)
          check.reset()
          setDocument(null)
          setFile(null)
        },
        onError: (error) => {
          if (!(error instanceof ApiError)) notifyError(error, 'Could not import')
        },
      },
    )
  }

  const clear = () => {
    check.reset()
    apply.reset()
    setDocument(null)
    setFile(null)
    setFileError(null)
  }

  const busy = reading || check.isPending || apply.isPending

  return (
    <Panel
      title="Import"
      description="Makes the configuration exactly what a file says (values and custom definitions), all or nothing. You see the changes first."
    >
      <FileDropZone accept=".json,application/json" onFile={(f) => void onFile(f)} disabled={busy} label="Configuration file" inputLabel="Configuration file (JSON)">
        <Stack align="center" gap={6}>
          <IconFileCode size={32} color="var(--mantine-color-gray-6)" aria-hidden />
          <Text size="sm">Drop a configuration file (JSON, at most 4 MB) here, or</Text>
          <Button size="xs" variant="default" leftSection={<IconUpload size={14} aria-hidden />} disabled={busy}>
            Choose a file
          </Button>
        </Stack>
      </FileDropZone>

      {file && (
        <Text size="sm" c="dimmed">
          {file.name} · {formatBytes(file.size)}
        </Text>
      )}
      {fileError && (
        <Alert color="red" title="This file cannot be imported" role="alert">
          {fileError}
        </Alert>
      )}
      {(reading || check.isPending) && (
        <Group gap="xs" role="status">
          <Loader size="xs" />
          <Text size="sm" c="dimmed">
            Checking the file against the configuration…
          </Text>
        </Group>
      )}
      {check.isError && <Refusal error={check.error} title="The file cannot be imported" />}

      {preview && !apply.isSuccess && (
        <Stack gap="sm" component="section" aria-label="Import preview">
          {preview.changes.length === 0 ? (
            <Alert color="teal" icon={<IconCircleCheck size={18} aria-hidden />} title="Nothing to change">
              The configuration already is what this file says.
            </Alert>
          ) : (
            <>
              <Text size="sm" fw={500}>
                {summary(preview.changes)} Nothing is saved until you apply them.
              </Text>
              <ChangeList changes={preview.changes} />
              {apply.isError &&
                (isStale(apply.error) ? (
                  <Alert color="yellow" role="alert" icon={<IconAlertTriangle size={18} aria-hidden />} title="The configuration changed since the preview — check again">
                    <Stack gap="xs" align="flex-start">
                      <Text size="sm">Someone changed it after these changes were worked out. Check the file again to see what importing it changes now.</Text>
                      <Button size="xs" variant="light" color="yellow" leftSection={<IconRefresh size={14} aria-hidden />} onClick={() => document && runCheck(document)}>
                        Check again
                      </Button>
                    </Stack>
                  </Alert>
                ) : (
                  <Refusal error={apply.error} title="Could not import" />
                ))}
              <Group gap="xs">
                <Button onClick={applyChanges} loading={apply.isPending}>
                  Apply {changesCount(preview.changes.length)}
                </Button>
                <Button variant="default" onClick={clear} disabled={apply.isPending}>
                  Cancel
                </Button>
              </Group>
            </>
          )}
        </Stack>
      )}

      {done && (
        <Alert color="teal" icon={<IconCircleCheck size={18} aria-hidden />} title="Imported" role="status">
          {done.changes.length === 0 ? 'Nothing changed.' : `${changesCount(done.changes.length)} applied; the configuration is at revision ${done.revision}.`}
        </Alert>
      )}
    </Panel>
  )
}

/** Export the configuration to a file; import one (a preview of the changes first). */
export function ImportExportTab({ instance }: { instance: InstanceRef }) {
  const editable = mayWriteConfig(instance.role)
  const exportConfig = useExportConfig(instance.slug)
  return (
    <Stack gap="md">
      {!editable && <ReadOnlyNotice instance={instance} />}
      <Panel title="Export" description="The values set in this instance and its custom entries' definitions, as a JSON file to keep or to import into another instance.">
        <Group>
          <Button
            leftSection={<IconDownload size={16} aria-hidden />}
            loading={exportConfig.isPending}
            onClick={() =>
              exportConfig.mutate(undefined, {
                onSuccess: () => notifySuccess(`Exported to ${exportFileName(instance.slug)}`),
                onError: (error) => notifyError(error, 'Could not export the configuration'),
              })
            }
          >
            Export
          </Button>
          <Text size="sm" c="dimmed">
            {exportFileName(instance.slug)}
          </Text>
        </Group>
      </Panel>
      {editable && <ImportPanel slug={instance.slug} />}
    </Stack>
  )
}
