import { Alert, Badge, Button, Code, Group, List, Modal, Paper, Progress, Stack, Table, Text, ThemeIcon } from '@mantine/core'
import { IconDownload, IconFileSpreadsheet, IconUpload } from '@tabler/icons-react'
import { useEffect, useRef, useState } from 'react'
import { FileDropZone } from '../../components/FileDropZone'
import { ApiError, errorMessage } from '../../lib/problem'
import { useImportUsers, type ImportReport, type RejectedRow } from './api'
import { formatBytes, IMPORT_MAX_BYTES, IMPORT_MAX_ROWS, IMPORTABLE, previewCsv, rejectedCsv, type ColumnKind, type CsvPreview } from './csvImport'

const number = (n: number) => new Intl.NumberFormat().format(n)
const rows = (n: number) => (n === 1 ? '1 row' : `${number(n)} rows`)
const users = (n: number) => (n === 1 ? '1 user' : `${number(n)} users`)

/** Most rejected rows listed on screen (the download has them all). */
const REJECTED_SHOWN = 200

const KIND_COLORS: Record<ColumnKind, string> = { imported: 'teal', ignored: 'gray', unknown: 'red' }
const KIND_LABELS: Record<ColumnKind, string> = { imported: 'imported', ignored: 'ignored', unknown: 'unknown' }

function isAbort(error: unknown): boolean {
  return error instanceof DOMException && error.name === 'AbortError'
}

/** What the server said about a file refused as a whole (the header's field errors are the useful part). */
function FileRefusal({ error, title }: { error: unknown; title: string }) {
  const details = error instanceof ApiError ? error.fieldErrors.map((e) => e.message) : []
  return (
    <Alert color="red" title={title} role="alert">
      {details.length > 0 ? details.join(' ') : errorMessage(error)}
    </Alert>
  )
}

function download(text: string, name: string) {
  const href = URL.createObjectURL(new Blob([text], { type: 'text/csv' }))
  const link = document.createElement('a')
  link.href = href
  link.download = name
  document.body.append(link)
  link.click()
  link.remove()
  setTimeout(() => URL.revokeObjectURL(href), 0)
}

/** The rows the server refused, one line per problem: line in the file, email, field, message. */
function RejectedTable({ rejected, fileName }: { rejected: RejectedRow[]; fileName: string }) {
  const shown = rejected.slice(0, REJECTED_SHOWN)
  return (
    <Stack gap="xs">
      <Table.ScrollContainer minWidth={0} mah={300} type="native">
        <Table aria-label="Rejected rows" verticalSpacing={4} fz="sm" striped>
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Line</Table.Th>
              <Table.Th>Email</Table.Th>
              <Table.Th>Field</Table.Th>
              <Table.Th>Problem</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {shown.flatMap((row) =>
              (row.errors.length ? row.errors : [{ field: '', code: '', message: 'Refused.' }]).map((e, i) => (
                <Table.Tr key={`${row.line}-${i}`}>
                  <Table.Td>{row.line}</Table.Td>
                  <Table.Td style={{ wordBreak: 'break-all' }}>{row.email || '—'}</Table.Td>
                  <Table.Td>{e.field ? <Code>{e.field}</Code> : '—'}</Table.Td>
                  <Table.Td>{e.message}</Table.Td>
                </Table.Tr>
              )),
            )}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
      <Group justify="space-between" gap="xs">
        <Text size="xs" c="dimmed">
          {rejected.length > shown.length ? `The first ${number(shown.length)} of ${rows(rejected.length)} are listed.` : ''}
        </Text>
        <Button
          variant="subtle"
          size="compact-xs"
          leftSection={<IconDownload size={12} aria-hidden />}
          onClick={() => download(rejectedCsv(rejected), `${fileName.replace(/\.csv$/i, '')}-problems.csv`)}
        >
          Download the problems (CSV)
        </Button>
      </Group>
    </Stack>
  )
}

function PreviewTable({ preview }: { preview: CsvPreview }) {
  if (preview.headerCells.length === 0) return null
  return (
    <Stack gap={4}>
      <Table.ScrollContainer minWidth={0} type="native">
        <Table aria-label="Preview of the first rows" verticalSpacing={4} horizontalSpacing="xs" fz="xs" withTableBorder withColumnBorders>
          <Table.Thead>
            <Table.Tr>
              {preview.headerCells.map((cell, i) => (
                <Table.Th key={i} style={{ whiteSpace: 'nowrap' }}>
                  {cell}
                </Table.Th>
              ))}
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {preview.rows.map((row, r) => (
              <Table.Tr key={r}>
                {preview.headerCells.map((_, c) => (
                  <Table.Td key={c} maw={220} style={{ overflow: 'hidden', textOverflow: 'ellipsis', whiteSpace: 'nowrap' }}>
                    {row[c] ?? ''}
                  </Table.Td>
                ))}
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
      <Text size="xs" c="dimmed">
        {preview.rows.length === 0 ? 'No rows after the header.' : preview.more ? `The first ${rows(preview.rows.length)} of the file.` : `The whole file: ${rows(preview.rows.length)}.`}
      </Text>
    </Stack>
  )
}

function HeaderCheckView({ preview }: { preview: CsvPreview }) {
  const { columns, problem } = preview.header
  return (
    <Stack gap={6} aria-label="Header check" component="section">
      <Group gap={6} wrap="wrap">
        <Text size="sm" fw={500}>
          Columns:
        </Text>
        {columns.map((c, i) => (
          <Badge key={i} variant="light" color={KIND_COLORS[c.kind]} tt="none" title={KIND_LABELS[c.kind]}>
            {c.name || '(empty)'} · {KIND_LABELS[c.kind]}
          </Badge>
        ))}
      </Group>
      {problem ? (
        <Alert color="red" title="The header row cannot be imported" role="alert">
          {problem} Fix the first row and choose the file again.
        </Alert>
      ) : (
        <Text size="sm" c="teal">
          Header row OK.
        </Text>
      )}
    </Stack>
  )
}

function ProgressLine({ fraction, label, uploading, working }: { fraction: number; label: string; uploading: string; working: string }) {
  return (
    <Stack gap={4}>
      <Progress value={fraction < 1 ? Math.max(fraction * 100, 3) : 100} animated={fraction >= 1} striped={fraction >= 1} aria-label={label} />
      <Text size="xs" c="dimmed" role="status">
        {fraction < 1 ? `${uploading} ${Math.round(fraction * 100)} %` : working}
      </Text>
    </Stack>
  )
}

/**
 * "Import users" from a CSV file: choose or drop the file, see its first rows and the header
 * check, and the server's dry run (every row validated, nobody created) with the rows it refuses;
 * pick another file after fixing it, or import the valid rows. The real import shows its progress
 * and ends with a summary; the users list is fetched again.
 */
export function ImportUsersModal({ slug, opened, onClose }: { slug: string; opened: boolean; onClose: () => void }) {
  const check = useImportUsers(slug)
  const run = useImportUsers(slug)
  const [file, setFile] = useState<File | null>(null)
  const [preview, setPreview] = useState<CsvPreview | null>(null)
  const [refusal, setRefusal] = useState<string | null>(null)
  const [checkProgress, setCheckProgress] = useState(0)
  const [runProgress, setRunProgress] = useState(0)
  const abort = useRef<AbortController | null>(null)
  useEffect(() => () => abort.current?.abort(), [])

  const reset = () => {
    abort.current?.abort()
    abort.current = null
    check.reset()
    run.reset()
    setFile(null)
    setPreview(null)
    setRefusal(null)
    setCheckProgress(0)
    setRunProgress(0)
  }

  const close = () => {
    // A real import cannot be called back once sent: wait for its answer.
    if (run.isPending) return
    reset()
    onClose()
  }

  const onFile = async (chosen: File) => {
    reset()
    setFile(chosen)
    if (chosen.size > IMPORT_MAX_BYTES) {
      setRefusal(`The file is ${formatBytes(chosen.size)}; an import takes at most ${formatBytes(IMPORT_MAX_BYTES)}. Split it into smaller files.`)
      return
    }
    let read: CsvPreview
    try {
      read = await previewCsv(chosen)
    } catch (error) {
      setRefusal(errorMessage(error))
      return
    }
    setPreview(read)
    if (read.header.problem) return
    const controller = new AbortController()
    abort.current = controller
    check.mutate({ file: chosen, dryRun: true, onProgress: setCheckProgress, signal: controller.signal })
  }

  const importNow = () => {
    if (!file) return
    setRunProgress(0)
    run.mutate({ file, dryRun: false, onProgress: setRunProgress })
  }

  const dry: ImportReport | undefined = check.data
  const done: ImportReport | undefined = run.data
  const busy = check.isPending || run.isPending
  return (
    <Modal opened={opened} onClose={close} title="Import users" size="xl" centered closeOnClickOutside={!busy}>
      <Stack>
        {!done && (
          <>
            <Text size="sm" c="dimmed">
              A CSV file with a header row naming its columns: <Code>email</Code> (required) and any of {IMPORTABLE.slice(1).map((c, i) => (
                <span key={c}>
                  {i > 0 && ', '}
                  <Code>{c}</Code>
                </span>
              ))}
              . An export from this page can be imported as it is (its other columns are ignored). At most {formatBytes(IMPORT_MAX_BYTES)} and{' '}
              {number(IMPORT_MAX_ROWS)} rows. Imported users have no password: they choose one through a password reset.
            </Text>
            <FileDropZone
              accept=".csv,text/csv"
              onFile={(f) => void onFile(f)}
              disabled={run.isPending}
              label="Import users: drop a CSV file here or choose one"
              inputLabel="CSV file"
            >
              <Group justify="center" gap="md" wrap="nowrap">
                <ThemeIcon size={44} radius="xl" variant="light">
                  <IconFileSpreadsheet size={24} aria-hidden />
                </ThemeIcon>
                <div>
                  <Text fw={600}>{file ? 'Drop another CSV file here' : 'Drop a CSV file here'}</Text>
                  <Text size="sm" c="dimmed">
                    Nothing is created until you confirm the import.
                  </Text>
                </div>
              </Group>
              <Group justify="center" mt="sm">
                {/* The click reaches the zone, which opens the file picker. */}
                <Button variant="default" size="xs" leftSection={<IconUpload size={14} aria-hidden />} disabled={run.isPending}>
                  {file ? 'Choose another file' : 'Choose a file'}
                </Button>
              </Group>
            </FileDropZone>
          </>
        )}

        {file && !done && (
          <Paper withBorder radius="md" p="sm" component="section" aria-label="Chosen file">
            <Stack gap="sm">
              <Group gap="xs">
                <Text size="sm" fw={500} truncate title={file.name}>
                  {file.name}
                </Text>
                <Text size="xs" c="dimmed">
                  {formatBytes(file.size)}
                </Text>
              </Group>
              {refusal && (
                <Alert color="red" title="This file cannot be imported" role="alert">
                  {refusal}
                </Alert>
              )}
              {preview && <HeaderCheckView preview={preview} />}
              {preview && <PreviewTable preview={preview} />}
            </Stack>
          </Paper>
        )}

        {check.isPending && <ProgressLine fraction={checkProgress} label="Checking the file" uploading="Sending the file…" working="Checking every row…" />}
        {check.isError && !isAbort(check.error) && <FileRefusal error={check.error} title="This file cannot be imported" />}
        {dry && !done && (
          <Stack gap="xs" component="section" aria-label="Check result">
            <Alert color={dry.rejected.length ? 'yellow' : 'teal'} title={dry.accepted > 0 ? `${rows(dry.accepted)} ready to import` : 'No row can be imported'}>
              {dry.rejected.length > 0
                ? `${rows(dry.rejected.length)} ${dry.rejected.length === 1 ? 'has' : 'have'} problems and would be skipped. Fix them and choose the file again, or import the valid rows now.`
                : dry.accepted > 0
                  ? 'Every row passed the check. Nobody has been created yet.'
                  : 'The file has no rows after the header.'}
            </Alert>
            {dry.rejected.length > 0 && file && <RejectedTable rejected={dry.rejected} fileName={file.name} />}
          </Stack>
        )}

        {run.isPending && <ProgressLine fraction={runProgress} label="Import progress" uploading="Sending the file…" working="Creating the users…" />}
        {run.isError &&
          (run.error instanceof ApiError ? (
            <FileRefusal error={run.error} title="The import failed; nobody was created" />
          ) : (
            <Alert color="red" title="The import may not have finished" role="alert">
              {errorMessage(run.error)} Some users may have been created: look at the users list (or run the check again, which reports those already there)
              before importing again.
            </Alert>
          ))}
        {done && (
          <Stack gap="xs" component="section" aria-label="Import result">
            <Alert color={done.rejected.length ? 'yellow' : 'teal'} title={`${users(done.accepted)} imported`}>
              <List size="sm">
                <List.Item>{done.accepted === 1 ? '1 user was created.' : `${number(done.accepted)} users were created.`}</List.Item>
                {done.rejected.length > 0 && <List.Item>{rows(done.rejected.length)} skipped (listed below).</List.Item>}
              </List>
            </Alert>
            {done.rejected.length > 0 && file && <RejectedTable rejected={done.rejected} fileName={file.name} />}
          </Stack>
        )}

        <Group justify="flex-end">
          {done ? (
            <Button onClick={close}>Done</Button>
          ) : (
            <>
              <Button variant="default" onClick={close} disabled={run.isPending}>
                Cancel
              </Button>
              <Button onClick={importNow} loading={run.isPending} disabled={!dry || dry.accepted === 0 || check.isPending}>
                {dry && dry.accepted > 0 ? `Import ${users(dry.accepted)}` : 'Import'}
              </Button>
            </>
          )}
        </Group>
      </Stack>
    </Modal>
  )
}
