import { Button, Group, Skeleton, Stack, Table, Text, TextInput, Tooltip, VisuallyHidden } from '@mantine/core'
import { IconDeviceFloppy, IconDownload, IconRestore, IconTrash } from '@tabler/icons-react'
import { useState } from 'react'
import { ConfirmModal } from '../../components/ConfirmModal'
import { ErrorAlert } from '../../components/ErrorAlert'
import { Panel } from '../../components/Panel'
import { formatDateTime, formatRelative } from '../../lib/datetime'
import { notifyError, notifySuccess } from '../../lib/forms'
import { errorMessage } from '../../lib/problem'
import { useBackups, useCreateBackup, useDeleteBackup, useDownloadBackup, useRestoreBackup } from './api'
import { changesCount, fieldErrorsOf, mayWriteConfig, type ConfigBackup, type InstanceRef } from './model'
import { ReadOnlyNotice } from './ReadOnlyNotice'

function BackUpNow({ slug }: { slug: string }) {
  const create = useCreateBackup(slug)
  const [name, setName] = useState('')
  const [error, setError] = useState<string | null>(null)
  return (
    <Panel title="Back up now" description="Keeps the configuration as it is now under a name; restore it in one step later. At most 50 backups.">
      <form
        noValidate
        aria-label="Back up now"
        onSubmit={(event) => {
          event.preventDefault()
          if (!name.trim()) {
            setError('Name the backup.')
            return
          }
          setError(null)
          create.mutate(name.trim(), {
            onSuccess: (backup) => {
              notifySuccess(`Backup “${backup.name}” created (revision ${backup.revision})`)
              setName('')
            },
            // Every refusal is about the name (taken, too long) or the number of backups: said beside the name.
            onError: (e) => setError(fieldErrorsOf(e).find((f) => f.field === 'name')?.message ?? errorMessage(e)),
          })
        }}
      >
        <Group align="flex-start" gap="sm">
          <TextInput
            label="Backup name"
            placeholder="Before the spring release"
            value={name}
            onChange={(e) => {
              setName(e.currentTarget.value)
              setError(null)
            }}
            error={error}
            maxLength={100}
            disabled={create.isPending}
            w={360}
          />
          <Button type="submit" mt={25} loading={create.isPending} leftSection={<IconDeviceFloppy size={16} aria-hidden />}>
            Back up now
          </Button>
        </Group>
      </form>
    </Panel>
  )
}

/** Named backups: make one, restore one, download one (it imports like an export), delete one. */
export function BackupsTab({ instance }: { instance: InstanceRef }) {
  const editable = mayWriteConfig(instance.role)
  const backups = useBackups(instance.slug)
  const restore = useRestoreBackup(instance.slug)
  const remove = useDeleteBackup(instance.slug)
  const download = useDownloadBackup(instance.slug)
  const [restoring, setRestoring] = useState<ConfigBackup | null>(null)
  const [deleting, setDeleting] = useState<ConfigBackup | null>(null)
  const items = backups.data?.items ?? []

  const confirmRestore = () => {
    if (!restoring) return
    restore.mutate(restoring, {
      onSuccess: (result) => {
        notifySuccess(
          result.changes.length === 0 ? `Nothing to restore: the configuration already is what “${restoring.name}” holds.` : `Backup “${restoring.name}” restored (${changesCount(result.changes.length)}).`,
        )
        setRestoring(null)
      },
      onError: (error) => {
        setRestoring(null)
        notifyError(error, `Could not restore “${restoring.name}”`)
      },
    })
  }

  const confirmDelete = () => {
    if (!deleting) return
    remove.mutate(deleting, {
      onSuccess: () => {
        notifySuccess(`Backup “${deleting.name}” deleted`)
        setDeleting(null)
      },
      onError: (error) => {
        setDeleting(null)
        notifyError(error, `Could not delete “${deleting.name}”`)
      },
    })
  }

  return (
    <Stack gap="md">
      {!editable && <ReadOnlyNotice instance={instance} />}
      {editable && <BackUpNow slug={instance.slug} />}
      <Panel title="Backups" description="Newest first.">
        {backups.isError ? (
          <ErrorAlert error={backups.error} title="Could not load the backups" onRetry={() => backups.refetch()} />
        ) : backups.isPending ? (
          <Skeleton h={120} aria-label="Loading the backups" />
        ) : items.length === 0 ? (
          <Text size="sm" c="dimmed">
            No backups yet.{editable ? ' Back up before a risky change: restoring takes one click.' : ''}
          </Text>
        ) : (
          <Table.ScrollContainer minWidth={680} type="native">
            <Table aria-label="Backups" verticalSpacing="xs" fz="sm">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>Name</Table.Th>
                  <Table.Th>Revision</Table.Th>
                  <Table.Th>Created by</Table.Th>
                  <Table.Th>Created</Table.Th>
                  <Table.Th>
                    <VisuallyHidden>Actions</VisuallyHidden>
                  </Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {items.map((b) => (
                  <Table.Tr key={b.id}>
                    <Table.Td fw={500} style={{ wordBreak: 'break-word' }}>
                      {b.name}
                    </Table.Td>
                    <Table.Td>{b.revision}</Table.Td>
                    <Table.Td style={{ wordBreak: 'break-all' }}>{b.created_by}</Table.Td>
                    <Table.Td>
                      <Tooltip label={formatDateTime(b.created_at, instance.timeZone)} withArrow>
                        <Text size="sm" tabIndex={0} style={{ whiteSpace: 'nowrap' }}>
                          {formatRelative(b.created_at)}
                        </Text>
                      </Tooltip>
                    </Table.Td>
                    <Table.Td>
                      <Group gap={4} justify="flex-end" wrap="nowrap">
                        {editable && (
                          <Button size="compact-sm" variant="light" leftSection={<IconRestore size={14} aria-hidden />} onClick={() => setRestoring(b)} aria-label={`Restore ${b.name}`}>
                            Restore
                          </Button>
                        )}
                        <Button
                          size="compact-sm"
                          variant="subtle"
                          leftSection={<IconDownload size={14} aria-hidden />}
                          loading={download.isPending && download.variables?.id === b.id}
                          onClick={() => download.mutate(b, { onError: (error) => notifyError(error, 'Could not download the backup') })}
                          aria-label={`Download ${b.name}`}
                        >
                          Download
                        </Button>
                        {editable && (
                          <Button size="compact-sm" variant="subtle" color="red" leftSection={<IconTrash size={14} aria-hidden />} onClick={() => setDeleting(b)} aria-label={`Delete ${b.name}`}>
                            Delete
                          </Button>
                        )}
                      </Group>
                    </Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
        )}
      </Panel>

      <ConfirmModal
        opened={restoring !== null}
        onClose={() => setRestoring(null)}
        title={restoring ? `Restore “${restoring.name}”` : 'Restore'}
        confirmLabel="Restore"
        confirmColor="blue"
        onConfirm={confirmRestore}
        pending={restore.isPending}
      >
        {restoring
          ? `Make the configuration what the backup holds (revision ${restoring.revision})? Every entry changed since goes back and custom entries defined since are deleted. The restore is recorded as a new revision in the history.`
          : ''}
      </ConfirmModal>
      <ConfirmModal
        opened={deleting !== null}
        onClose={() => setDeleting(null)}
        title={deleting ? `Delete “${deleting.name}”` : 'Delete'}
        confirmLabel="Delete"
        onConfirm={confirmDelete}
        pending={remove.isPending}
      >
        {deleting ? `Delete the backup “${deleting.name}”? The configuration itself does not change, and its history stays.` : ''}
      </ConfirmModal>
    </Stack>
  )
}
