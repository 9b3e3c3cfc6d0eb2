import { useInfiniteQuery, useMutation, useQuery, useQueryClient, type QueryClient } from '@tanstack/react-query'
import { api, unwrap } from '../../api/client'
import { downloadFile } from '../../lib/download'
import { identityProviderKeys } from '../../lib/identityProviders'
import {
  backupFileName,
  entryTag,
  exportFileName,
  revisionTag,
  type ConfigBackup,
  type ConfigDefinitionInput,
  type ConfigDocument,
  type ConfigEntry,
  type ConfigOverview,
} from './model'

export const configKeys = {
  all: (slug: string) => ['config', slug] as const,
  overview: (slug: string) => [...configKeys.all(slug), 'overview'] as const,
  history: (slug: string, key: string | null) => [...configKeys.all(slug), 'history', key] as const,
  backups: (slug: string) => [...configKeys.all(slug), 'backups'] as const,
}

/**
 * After a write: everything of the configuration is read again, and the identity providers too
 * (their password, registration and guest settings are configuration entries).
 */
function refreshAfterWrite(queryClient: QueryClient, slug: string) {
  return Promise.all([
    queryClient.invalidateQueries({ queryKey: configKeys.all(slug) }),
    queryClient.invalidateQueries({ queryKey: identityProviderKeys.list(slug) }),
  ])
}

/** Puts a saved entry into the overview at once (the refetch that follows confirms it). */
function replaceEntry(queryClient: QueryClient, slug: string, saved: ConfigEntry) {
  queryClient.setQueryData<ConfigOverview>(configKeys.overview(slug), (overview) =>
    overview ? { ...overview, items: overview.items.map((e) => (e.key === saved.key ? saved : e)) } : overview,
  )
}

/** Every entry (built in and custom) with its value in force, and the configuration's revision. */
export function useConfigOverview(slug: string) {
  return useQuery({
    queryKey: configKeys.overview(slug),
    queryFn: () => unwrap(api.GET('/api/v1/instances/{instance}/config', { params: { path: { instance: slug } } })),
  })
}

/** One entry as it is now (after a 412: what someone else saved). */
export function fetchEntry(slug: string, key: string): Promise<ConfigEntry> {
  return unwrap(api.GET('/api/v1/instances/{instance}/config/entries/{key}', { params: { path: { instance: slug, key } } }))
}

/** Reads one entry again and puts it into the overview. */
export function useReloadEntry(slug: string) {
  const queryClient = useQueryClient()
  return useMutation({
    mutationFn: (key: string) => fetchEntry(slug, key),
    onSuccess: (entry) => replaceEntry(queryClient, slug, entry),
  })
}

export interface SetValueInput {
  key: string
  value: unknown
  /** The version the edit started from (`If-Match`). */
  version: number
  /** Only check: the server validates and answers the entry as it would be. */
  dryRun?: boolean
}

/** Sets an entry's value (or, with `dryRun`, checks it). */
export function useSetValue(slug: string) {
  const queryClient = useQueryClient()
  return useMutation({
    mutationFn: ({ key, value, version, dryRun }: SetValueInput) =>
      unwrap(
        api.PUT('/api/v1/instances/{instance}/config/entries/{key}', {
          params: { path: { instance: slug, key }, query: dryRun ? { dry_run: true } : {}, header: { 'If-Match': entryTag(version) } },
          body: { value },
        }),
      ),
    onSuccess: (saved, { dryRun }) => {
      if (dryRun) return
      replaceEntry(queryClient, slug, saved)
      return refreshAfterWrite(queryClient, slug)
    },
  })
}

/** Back to the default. */
export function useResetEntry(slug: string) {
  const queryClient = useQueryClient()
  return useMutation({
    mutationFn: ({ key, version }: { key: string; version: number }) =>
      unwrap(
        api.POST('/api/v1/instances/{instance}/config/entries/{key}/reset', {
          params: { path: { instance: slug, key }, header: { 'If-Match': entryTag(version) } },
        }),
      ),
    onSuccess: (saved) => {
      replaceEntry(queryClient, slug, saved)
      return refreshAfterWrite(queryClient, slug)
    },
  })
}

export interface DefinitionInput {
  key: string
  definition: ConfigDefinitionInput
  dryRun?: boolean
}

/** Defines a custom entry (201), or checks the definition with `dryRun`. */
export function useCreateEntry(slug: string) {
  const queryClient = useQueryClient()
  return useMutation({
    mutationFn: ({ key, definition, dryRun }: DefinitionInput) =>
      unwrap(
        api.POST('/api/v1/instances/{instance}/config/entries', {
          params: { path: { instance: slug }, query: dryRun ? { dry_run: true } : {} },
          body: { key, ...definition },
        }),
      ),
    onSuccess: (_entry, { dryRun }) => (dryRun ? undefined : refreshAfterWrite(queryClient, slug)),
  })
}

/** Changes a custom entry's definition (its value stays and must pass the new schema). */
export function useRedefineEntry(slug: string) {
  const queryClient = useQueryClient()
  return useMutation({
    mutationFn: ({ key, definition, dryRun, version }: DefinitionInput & { version: number }) =>
      unwrap(
        api.PUT('/api/v1/instances/{instance}/config/entries/{key}/definition', {
          params: { path: { instance: slug, key }, query: dryRun ? { dry_run: true } : {}, header: { 'If-Match': entryTag(version) } },
          body: definition,
        }),
      ),
    onSuccess: (saved, { dryRun }) => {
      if (dryRun) return
      replaceEntry(queryClient, slug, saved)
      return refreshAfterWrite(queryClient, slug)
    },
  })
}

/** Removes a custom entry (its history stays: a restore brings it back). */
export function useDeleteEntry(slug: string) {
  const queryClient = useQueryClient()
  return useMutation({
    mutationFn: ({ key, version }: { key: string; version: number }) =>
      unwrap(
        api.DELETE('/api/v1/instances/{instance}/config/entries/{key}', {
          params: { path: { instance: slug, key }, header: { 'If-Match': entryTag(version) } },
        }),
      ),
    // Refused as stale too: the page then shows the entry as it is now.
    onSettled: () => refreshAfterWrite(queryClient, slug),
  })
}

/** One entry as it stood after `revision`. */
export function useRestoreEntry(slug: string) {
  const queryClient = useQueryClient()
  return useMutation({
    mutationFn: ({ key, revision }: { key: string; revision: number }) =>
      unwrap(
        api.POST('/api/v1/instances/{instance}/config/entries/{key}/restore', {
          params: { path: { instance: slug, key } },
          body: { revision },
        }),
      ),
    onSuccess: () => refreshAfterWrite(queryClient, slug),
  })
}

/** The whole configuration as it stood after `revision` (0: before any change). */
export function useRestoreAll(slug: string) {
  const queryClient = useQueryClient()
  return useMutation({
    mutationFn: ({ revision }: { revision: number }) =>
      unwrap(api.POST('/api/v1/instances/{instance}/config/restore', { params: { path: { instance: slug } }, body: { revision } })),
    onSuccess: () => refreshAfterWrite(queryClient, slug),
  })
}

/** Every entry back to its default; custom entries keep their definitions. */
export function useResetAll(slug: string) {
  const queryClient = useQueryClient()
  return useMutation({
    mutationFn: ({ revision }: { revision: number }) =>
      unwrap(
        api.POST('/api/v1/instances/{instance}/config/reset', {
          params: { path: { instance: slug }, header: { 'If-Match': revisionTag(revision) } },
        }),
      ),
    // Refused as stale too: the page then shows the configuration as it is now.
    onSettled: () => refreshAfterWrite(queryClient, slug),
  })
}

export const HISTORY_PAGE = 50

/** The changes, newest first (of one entry with `key`), a page at a time. */
export function useConfigHistory(slug: string, key: string | null) {
  return useInfiniteQuery({
    queryKey: configKeys.history(slug, key),
    queryFn: ({ pageParam }) =>
      unwrap(
        api.GET('/api/v1/instances/{instance}/config/history', {
          params: { path: { instance: slug }, query: { key: key ?? undefined, before: pageParam, limit: HISTORY_PAGE } },
        }),
      ),
    initialPageParam: undefined as number | undefined,
    getNextPageParam: (last) => last.next_before ?? undefined,
  })
}

// --- Backups ------------------------------------------------------------------------------------

export function useBackups(slug: string) {
  return useQuery({
    queryKey: configKeys.backups(slug),
    queryFn: () => unwrap(api.GET('/api/v1/instances/{instance}/config/backups', { params: { path: { instance: slug } } })),
  })
}

export function useCreateBackup(slug: string) {
  const queryClient = useQueryClient()
  return useMutation({
    mutationFn: (name: string) =>
      unwrap(api.POST('/api/v1/instances/{instance}/config/backups', { params: { path: { instance: slug } }, body: { name } })),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: configKeys.backups(slug) }),
  })
}

export function useRestoreBackup(slug: string) {
  const queryClient = useQueryClient()
  return useMutation({
    mutationFn: (backup: ConfigBackup) =>
      unwrap(api.POST('/api/v1/instances/{instance}/config/backups/{id}/restore', { params: { path: { instance: slug, id: backup.id } } })),
    onSuccess: () => refreshAfterWrite(queryClient, slug),
  })
}

export function useDeleteBackup(slug: string) {
  const queryClient = useQueryClient()
  return useMutation({
    mutationFn: (backup: ConfigBackup) =>
      unwrap(api.DELETE('/api/v1/instances/{instance}/config/backups/{id}', { params: { path: { instance: slug, id: backup.id } } })),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: configKeys.backups(slug) }),
  })
}

/** Saves a backup's document as a JSON file (it imports like an export). */
export function useDownloadBackup(slug: string) {
  return useMutation({
    mutationFn: (backup: ConfigBackup) =>
      downloadFile(
        `/api/v1/instances/${encodeURIComponent(slug)}/config/backups/${encodeURIComponent(backup.id)}`,
        'application/json',
        backupFileName(slug, backup),
      ),
  })
}

// --- Import & export ----------------------------------------------------------------------------

/** Saves the configuration as `<slug>-configuration.json`. */
export function useExportConfig(slug: string) {
  return useMutation({
    mutationFn: () => downloadFile(`/api/v1/instances/${encodeURIComponent(slug)}/config/export`, 'application/json', exportFileName(slug)),
  })
}

export interface ImportInput {
  document: ConfigDocument
  /** Only the changes it would make (nothing saved). */
  dryRun: boolean
  /** The revision the preview was made at (`If-Match`), for the real import. */
  revision?: number
}

/** Makes the configuration what a document says (all or nothing), or previews it. */
export function useImportConfig(slug: string) {
  const queryClient = useQueryClient()
  return useMutation({
    mutationFn: ({ document, dryRun, revision }: ImportInput) =>
      unwrap(
        api.POST('/api/v1/instances/{instance}/config/import', {
          params: {
            path: { instance: slug },
            query: dryRun ? { dry_run: true } : {},
            header: revision === undefined ? {} : { 'If-Match': revisionTag(revision) },
          },
          body: document,
        }),
      ),
    onSuccess: (_result, { dryRun }) => (dryRun ? undefined : refreshAfterWrite(queryClient, slug)),
  })
}
