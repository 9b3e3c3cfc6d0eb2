import { screen, waitFor, within } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { describe, expect, it, vi } from 'vitest'
import { problem, stubApi, type SeenRequest } from '../../test/api'
import { jsonResponse, renderPage } from '../../test/render'
import { fill } from '../../test/user'
import { ConfigPage } from './ConfigPage'
import { backupFileName, errorsUnder, groupByCategory, stateRows, type ConfigBackup, type ConfigEntry, type ConfigVersion, type Role } from './model'

const BASE = '/api/v1/instances/shop/config'

function entry(overrides: Partial<ConfigEntry> & Pick<ConfigEntry, 'key'>): ConfigEntry {
  return {
    builtin: true,
    category: 'passwords',
    description: '',
    type: 'integer',
    unit: null,
    schema: { type: 'integer' },
    default: 0,
    value: 0,
    is_set: false,
    public: false,
    version: 0,
    updated_at: null,
    updated_by: null,
    ...overrides,
  }
}

const minLength = entry({
  key: 'password.min_length',
  category: 'passwords',
  description: 'The fewest characters an end user’s password may have.',
  unit: 'characters',
  schema: { type: 'integer', minimum: 8, maximum: 128 },
  default: 8,
  value: 8,
  version: 3,
})
const accessTtl = entry({
  key: 'tokens.access_ttl_secs',
  category: 'tokens',
  description: 'How long an access token stays valid.',
  unit: 'seconds',
  schema: { type: 'integer', minimum: 60, maximum: 86400 },
  default: 3600,
  value: 1800,
  is_set: true,
  version: 5,
  updated_at: '2026-11-30T10:00:00Z',
  updated_by: 'grace@example.com',
})
const verified = entry({
  key: 'signin.require_verified_email',
  category: 'sign_in',
  description: 'Refuse to sign in end users until they have verified their email address.',
  type: 'boolean',
  schema: { type: 'boolean' },
  default: false,
  value: false,
})
const tiers = entry({
  key: 'pricing.tiers',
  builtin: false,
  category: 'custom',
  description: 'Price tiers the shop shows.',
  type: 'object',
  schema: { type: 'object' },
  default: {},
  value: { tiers: [{ name: 'basic', price: 5 }] },
  is_set: true,
  public: true,
  version: 2,
  updated_at: '2026-11-29T10:00:00Z',
  updated_by: 'ada@example.com',
})

const REVISION = 7

type Handler = (r: SeenRequest) => Response | undefined

/** A configuration API with the four entries above; `handler` answers first (refusals), then a fake that keeps what is saved. */
function stubConfig(handler: Handler = () => undefined, extra: { history?: ConfigVersion[]; backups?: ConfigBackup[] } = {}) {
  const items = [minLength, accessTtl, verified, tiers].map((e) => ({ ...e }))
  return stubApi((r) => {
    const answer = handler(r)
    if (answer) return answer
    if (r.method === 'GET' && r.path === BASE) return jsonResponse({ revision: REVISION, items }, 200, { ETag: `"r${REVISION}"` })
    if (r.method === 'GET' && r.path === `${BASE}/history`) return jsonResponse({ items: extra.history ?? [], next_before: null })
    if (r.method === 'GET' && r.path === `${BASE}/backups`) return jsonResponse({ items: extra.backups ?? [] })
    const put = r.path.match(/^\/api\/v1\/instances\/shop\/config\/entries\/([^/]+)$/)
    if (r.method === 'PUT' && put) {
      const i = items.findIndex((e) => e.key === put[1])
      const next = { ...items[i], value: (r.body as { value: unknown }).value, is_set: true }
      if (r.query.get('dry_run') === 'true') return jsonResponse(next)
      items[i] = { ...next, version: items[i].version + 1, updated_by: 'ada@example.com', updated_at: new Date().toISOString() }
      return jsonResponse(items[i])
    }
    return undefined
  })
}

function renderConfig(role: Role = 'admin', path = '/i/shop/config') {
  renderPage(<ConfigPage instance={{ slug: 'shop', name: 'Shop', role, timeZone: 'UTC' }} />, path)
  return userEvent.setup()
}

const puts = (seen: SeenRequest[]) => seen.filter((r) => r.method === 'PUT')

async function openEdit(user: ReturnType<typeof userEvent.setup>, key: string) {
  await user.click(await screen.findByRole('button', { name: `Edit ${key}` }))
  return screen.findByRole('dialog', { name: `Edit ${key}` })
}

describe('configuration model', () => {
  it('groups by category in the catalogue order, finds errors under a field, and compares states', () => {
    expect(groupByCategory([tiers, verified, minLength]).map((g) => g.title)).toEqual(['Passwords', 'Sign-in', 'Custom'])
    const errors = [
      { field: 'value', code: 'maximum', message: 'too big' },
      { field: 'value/tiers/0', code: 'type', message: 'not an object' },
      { field: 'values', code: 'x', message: 'other' },
    ]
    expect(errorsUnder(errors, 'value').map((e) => e.pointer)).toEqual(['', '/tiers/0'])
    const rows = stateRows({ value: null, definition: { description: 'a', schema: {}, default: 1, public: false } }, { value: 2, definition: { description: 'a', schema: {}, default: 1, public: true } })
    expect(rows.filter((r) => r.changed).map((r) => r.label)).toEqual(['Value', 'Public'])
    expect(backupFileName('shop', { name: 'Before the Spring release!', revision: 3 })).toBe('shop-backup-before-the-spring-release.json')
  })
})

describe('ConfigPage · entries', () => {
  it('lists the entries grouped by category, with type, value in force, default badge and last change', async () => {
    stubConfig()
    renderConfig('admin')
    const passwords = await screen.findByRole('table', { name: 'Passwords' })
    expect(document.title).toBe('Entries · Configuration · Shop · Steward')
    const headings = screen.getAllByRole('heading', { level: 2 }).map((h) => h.textContent)
    expect(headings.slice(0, 4)).toEqual(['Passwords', 'Tokens', 'Sign-in', 'Custom'])

    const row = within(passwords).getByRole('row', { name: /password\.min_length/ })
    expect(row).toHaveTextContent('Integer · characters')
    expect(within(row).getByTestId('entry-value')).toHaveTextContent('8')
    expect(within(row).getByText('Default')).toBeInTheDocument()
    expect(row).toHaveTextContent('Never')

    const tokens = within(screen.getByRole('table', { name: 'Tokens' })).getByRole('row', { name: /tokens\.access_ttl_secs/ })
    expect(within(tokens).getByTestId('entry-value')).toHaveTextContent('1800')
    expect(within(tokens).queryByText('Default')).not.toBeInTheDocument()
    expect(tokens).toHaveTextContent('by grace@example.com')

    const custom = within(screen.getByRole('table', { name: 'Custom' })).getByRole('row', { name: /pricing\.tiers/ })
    expect(within(custom).getByTestId('entry-value')).toHaveTextContent('{"tiers":[{"name":"basic","price":5}]}')
    expect(within(custom).getByText('Public')).toBeInTheDocument()
    expect(within(custom).getByRole('button', { name: 'More actions for pricing.tiers' })).toBeInTheDocument()
    expect(screen.getByRole('button', { name: 'New entry' })).toBeInTheDocument()
  })

  it('shows a viewer the entries without ways to change them', async () => {
    stubConfig()
    renderConfig('viewer')
    await screen.findByRole('table', { name: 'Passwords' })
    expect(screen.getByTestId('read-only-notice')).toHaveTextContent('you are a viewer')
    expect(screen.queryByRole('button', { name: 'New entry' })).not.toBeInTheDocument()
    expect(screen.queryByRole('button', { name: /^Edit / })).not.toBeInTheDocument()
    const user = userEvent.setup()
    await user.click(screen.getByRole('button', { name: 'View password.min_length' }))
    const drawer = await screen.findByRole('dialog', { name: 'View password.min_length' })
    expect(within(drawer).queryByRole('button', { name: 'Save' })).not.toBeInTheDocument()
  })

  it('saves an integer with If-Match and the body {value: N}', async () => {
    const seen = stubConfig()
    const user = renderConfig('admin')
    const drawer = await openEdit(user, 'password.min_length')
    const input = within(drawer).getByRole('textbox', { name: 'Value' })
    expect(input).toHaveValue('8')
    expect(input).toHaveAccessibleDescription(/8 to 128 characters/)
    await user.clear(input)
    await fill(user, input, '12')
    await user.click(within(drawer).getByRole('button', { name: 'Save' }))

    await waitFor(() => expect(puts(seen)).toHaveLength(1))
    const put = puts(seen)[0]
    expect(put.path).toBe(`${BASE}/entries/password.min_length`)
    expect(put.headers.get('If-Match')).toBe('"v3"')
    expect(put.body).toEqual({ value: 12 })
    expect(put.query.get('dry_run')).toBeNull()
    expect(await screen.findByText('password.min_length saved: 12')).toBeInTheDocument()
    await waitFor(() => expect(screen.queryByRole('dialog', { name: 'Edit password.min_length' })).not.toBeInTheDocument())
    const row = within(screen.getByRole('table', { name: 'Passwords' })).getByRole('row', { name: /password\.min_length/ })
    await waitFor(() => expect(within(row).getByTestId('entry-value')).toHaveTextContent('12'))
    expect(within(row).queryByText('Default')).not.toBeInTheDocument()
  })

  it('puts a 422’s messages beside the value, with the pointer inside it', async () => {
    stubConfig((r) => {
      if (r.method !== 'PUT') return undefined
      if (r.path.endsWith('password.min_length')) {
        return problem(422, 'validation_failed', 'The request has invalid fields.', { errors: [{ field: 'value', code: 'maximum', message: 'Must be at most 128.' }] })
      }
      return problem(422, 'validation_failed', 'The request has invalid fields.', {
        errors: [{ field: 'value/tiers/0/price', code: 'type', message: 'Must be a number.' }],
      })
    })
    const user = renderConfig('admin')
    let drawer = await openEdit(user, 'password.min_length')
    const input = within(drawer).getByRole('textbox', { name: 'Value' })
    await user.click(within(drawer).getByRole('button', { name: 'Save' }))
    await waitFor(() => expect(input).toHaveAccessibleDescription(/Must be at most 128\./))
    expect(input).toHaveAttribute('aria-invalid', 'true')
    expect(within(drawer).queryByRole('alert')).not.toBeInTheDocument()
    await user.click(within(drawer).getByRole('button', { name: 'Cancel' }))

    // A JSON value: each error names where in the value it is.
    drawer = await openEdit(user, 'pricing.tiers')
    const json = within(drawer).getByRole('textbox', { name: 'Value' })
    expect(json).toHaveValue(JSON.stringify(tiers.value, null, 2))
    await user.click(within(drawer).getByRole('button', { name: 'Save' }))
    await waitFor(() => expect(json).toHaveAccessibleDescription(/\/tiers\/0\/price Must be a number\./))

    // Not JSON: said at once, nothing sent.
    await user.clear(json)
    await fill(user, json, '{"tiers": [')
    await user.click(within(drawer).getByRole('button', { name: 'Check' }))
    expect(await within(drawer).findByText(/^Not valid JSON/)).toBeInTheDocument()
  })

  it('says a 412 means someone changed it since, and reloads it', async () => {
    let refused = false
    const seen = stubConfig((r) => {
      if (r.method === 'PUT' && !refused) {
        refused = true
        return problem(412, 'stale_version', 'Entry password.min_length changed since you read it.')
      }
      if (r.method === 'GET' && r.path === `${BASE}/entries/password.min_length`) return jsonResponse({ ...minLength, value: 10, is_set: true, version: 4 })
      return undefined
    })
    const user = renderConfig('admin')
    const drawer = await openEdit(user, 'password.min_length')
    const input = within(drawer).getByRole('textbox', { name: 'Value' })
    await user.clear(input)
    await fill(user, input, '12')
    await user.click(within(drawer).getByRole('button', { name: 'Save' }))
    const alert = await within(drawer).findByRole('alert')
    expect(alert).toHaveTextContent('password.min_length changed since you opened it — reload')

    await user.click(within(alert).getByRole('button', { name: 'Reload' }))
    await waitFor(() => expect(input).toHaveValue('10'))
    expect(within(drawer).queryByRole('alert')).not.toBeInTheDocument()
    // The next save is based on the version just read.
    await user.clear(input)
    await fill(user, input, '14')
    await user.click(within(drawer).getByRole('button', { name: 'Save' }))
    await waitFor(() => expect(puts(seen)).toHaveLength(2))
    expect(puts(seen)[1].headers.get('If-Match')).toBe('"v4"')
  })

  it('checks a value with a dry run without saving', async () => {
    const seen = stubConfig()
    const user = renderConfig('admin')
    const drawer = await openEdit(user, 'signin.require_verified_email')
    await user.click(within(drawer).getByRole('switch', { name: /^Value/ }))
    await user.click(within(drawer).getByRole('button', { name: 'Check' }))
    expect(await within(drawer).findByRole('status')).toHaveTextContent('Valid')
    const put = puts(seen)[0]
    expect(put.query.get('dry_run')).toBe('true')
    expect(put.body).toEqual({ value: true })
    expect(put.headers.get('If-Match')).toBe('"v0"')
    // Still open, nothing saved, no notification.
    expect(screen.getByRole('dialog', { name: 'Edit signin.require_verified_email' })).toBeInTheDocument()
    expect(screen.queryByText(/ saved: /)).not.toBeInTheDocument()
  })

  it('defines a custom entry, with the server’s errors beside key and schema', async () => {
    const seen = stubConfig((r) => {
      if (r.method !== 'POST' || r.path !== `${BASE}/entries`) return undefined
      const body = r.body as { key: string }
      if (body.key === 'pricing.tiers') return problem(409, 'key_taken', 'An entry pricing.tiers is already defined.')
      if (r.query.get('dry_run') === 'true') {
        return problem(422, 'validation_failed', 'The request has invalid fields.', { errors: [{ field: 'schema/type', code: 'invalid_schema', message: 'Not a JSON type.' }] })
      }
      return jsonResponse({ ...tiers, key: body.key, value: 'x', is_set: false }, 201)
    })
    const user = renderConfig('admin')
    await user.click(await screen.findByRole('button', { name: 'New entry' }))
    const drawer = await screen.findByRole('dialog', { name: 'New entry' })
    const key = within(drawer).getByRole('textbox', { name: 'Key' })
    await fill(user, key, 'pricing.tiers')
    await fill(user, within(drawer).getByRole('textbox', { name: 'Description' }), 'The tiers.')
    await user.click(within(drawer).getByRole('button', { name: 'Create entry' }))
    await waitFor(() => expect(key).toHaveAccessibleDescription(/already defined/))

    await user.clear(key)
    await fill(user, key, 'shop.banner')
    await user.click(within(drawer).getByRole('button', { name: 'Check' }))
    const schema = within(drawer).getByRole('textbox', { name: 'JSON Schema' })
    await waitFor(() => expect(schema).toHaveAccessibleDescription(/\/type Not a JSON type\./))

    await user.click(within(drawer).getByRole('button', { name: 'Create entry' }))
    expect(await screen.findByText('shop.banner created')).toBeInTheDocument()
    const created = seen.filter((r) => r.method === 'POST' && r.query.get('dry_run') === null).at(-1)
    expect(created?.body).toEqual({ key: 'shop.banner', description: 'The tiers.', schema: { type: 'string', maxLength: 200 }, default: '', public: false })
  })

  it('deletes a custom entry after asking', async () => {
    const seen = stubConfig((r) => (r.method === 'DELETE' ? new Response(null, { status: 204 }) : undefined))
    const user = renderConfig('owner')
    await user.click(await screen.findByRole('button', { name: 'More actions for pricing.tiers' }))
    await user.click(await screen.findByRole('menuitem', { name: 'Delete' }))
    const dialog = await screen.findByRole('dialog', { name: 'Delete pricing.tiers' })
    expect(seen.some((r) => r.method === 'DELETE')).toBe(false)
    await user.click(within(dialog).getByRole('button', { name: 'Delete' }))
    expect(await screen.findByText('pricing.tiers deleted')).toBeInTheDocument()
    const del = seen.find((r) => r.method === 'DELETE')
    expect(del?.path).toBe(`${BASE}/entries/pricing.tiers`)
    expect(del?.headers.get('If-Match')).toBe('"v2"')
  })
})

const history: ConfigVersion[] = [
  {
    id: 'v-3',
    revision: 3,
    key: 'password.min_length',
    action: 'set',
    before: { value: 10, definition: null },
    after: { value: 12, definition: null },
    actor: 'ada@example.com',
    created_at: '2026-11-30T10:00:00Z',
  },
  {
    id: 'v-2',
    revision: 2,
    key: 'password.min_length',
    action: 'set',
    before: null,
    after: { value: 10, definition: null },
    actor: 'grace@example.com',
    created_at: '2026-11-29T10:00:00Z',
  },
]

describe('ConfigPage · history', () => {
  it('shows the changes with before → after, and restores an entry or everything after asking', async () => {
    const seen = stubConfig(
      (r) =>
        r.method === 'POST' && (r.path.endsWith('/restore') || r.path === `${BASE}/restore`)
          ? jsonResponse({ revision: 4, applied: true, changes: [{ key: 'password.min_length', before: { value: 12, definition: null }, after: { value: 10, definition: null } }] })
          : undefined,
      { history },
    )
    const user = renderConfig('admin', '/i/shop/config?tab=history')
    const table = await screen.findByRole('table', { name: 'Changes' })
    expect(document.title).toBe('History · Configuration · Shop · Steward')
    const rows = within(table).getAllByRole('row').slice(1)
    expect(rows[0]).toHaveTextContent(/3password\.min_lengthSetada@example\.com/)
    expect(rows[1]).toHaveTextContent('grace@example.com')
    // The list is complete: the initial state closes it.
    expect(rows.at(-1)).toHaveTextContent('Before any change')

    await user.click(within(table).getByRole('button', { name: 'Show the change to password.min_length in revision 3' }))
    const diff = screen.getByRole('table', { name: 'Change to password.min_length in revision 3' })
    const value = within(diff).getByRole('row', { name: /Value/ })
    expect(value).toHaveAttribute('data-changed', 'true')
    expect(value).toHaveTextContent(/Value.*changed.*10.*12/)

    // One entry, as it was after revision 2.
    await user.click(within(table).getByRole('button', { name: 'Restore password.min_length or everything as of revision 2' }))
    await user.click(await screen.findByRole('menuitem', { name: 'Restore this entry' }))
    let dialog = await screen.findByRole('dialog', { name: 'Restore password.min_length' })
    expect(dialog).toHaveTextContent('as it was after revision 2 (10)')
    expect(seen.some((r) => r.method === 'POST')).toBe(false)
    await user.click(within(dialog).getByRole('button', { name: 'Restore' }))
    expect(await screen.findByText('password.min_length restored (1 change).')).toBeInTheDocument()
    const one = seen.find((r) => r.method === 'POST')
    expect(one?.path).toBe(`${BASE}/entries/password.min_length/restore`)
    expect(one?.body).toEqual({ revision: 2 })

    // Everything, before any change.
    const historyReads = seen.filter((r) => r.path === `${BASE}/history`).length
    await user.click(within(table).getByRole('button', { name: 'Restore everything as of revision 0' }))
    await user.click(await screen.findByRole('menuitem', { name: 'Restore all to this revision' }))
    dialog = await screen.findByRole('dialog', { name: 'Restore all to revision 0' })
    await user.click(within(dialog).getByRole('button', { name: 'Restore' }))
    await waitFor(() => expect(seen.filter((r) => r.path === `${BASE}/restore`)).toHaveLength(1))
    expect(seen.find((r) => r.path === `${BASE}/restore`)?.body).toEqual({ revision: 0 })
    // The history is read again.
    await waitFor(() => expect(seen.filter((r) => r.path === `${BASE}/history`).length).toBeGreaterThan(historyReads))
  })

  it('filters by entry and loads older changes', async () => {
    const seen = stubApi((r) => {
      if (r.path === BASE) return jsonResponse({ revision: 3, items: [minLength, accessTtl] })
      if (r.path === `${BASE}/history`) {
        if (r.query.get('before') === '2') return jsonResponse({ items: [history[1]], next_before: null })
        return jsonResponse({ items: [history[0]], next_before: 2 })
      }
      return undefined
    })
    const user = renderConfig('viewer', '/i/shop/config?tab=history&key=password.min_length')
    const table = await screen.findByRole('table', { name: 'Changes' })
    expect(seen.find((r) => r.path === `${BASE}/history`)?.query.get('key')).toBe('password.min_length')
    expect(screen.getByRole('combobox', { name: 'Entry' })).toHaveValue('password.min_length')
    // Viewers read, and restore nothing.
    expect(within(table).queryByRole('button', { name: /^Restore/ })).not.toBeInTheDocument()
    await user.click(screen.getByRole('button', { name: 'Load older' }))
    await waitFor(() => expect(within(table).getAllByRole('row')).toHaveLength(3))
    expect(seen.filter((r) => r.path === `${BASE}/history`).at(-1)?.query.get('before')).toBe('2')
    expect(screen.queryByRole('button', { name: 'Load older' })).not.toBeInTheDocument()
  })
})

describe('ConfigPage · backups', () => {
  const backup: ConfigBackup = { id: 'b-1', name: 'Before launch', revision: 5, created_by: 'ada@example.com', created_at: '2026-11-28T10:00:00Z' }

  it('backs up under a name (a taken name said beside it), restores after asking, downloads', async () => {
    const seen = stubConfig(
      (r) => {
        if (r.method === 'POST' && r.path === `${BASE}/backups`) {
          return (r.body as { name: string }).name === 'Before launch'
            ? problem(409, 'name_taken', 'A backup named “Before launch” exists.')
            : jsonResponse({ ...backup, id: 'b-2', name: 'Friday' }, 201)
        }
        if (r.method === 'POST' && r.path === `${BASE}/backups/b-1/restore`) return jsonResponse({ revision: 9, applied: true, changes: [] })
        if (r.method === 'GET' && r.path === `${BASE}/backups/b-1`) return jsonResponse({ format: 'steward.configuration/v1', values: {}, definitions: {} })
        return undefined
      },
      { backups: [backup] },
    )
    const createObjectURL = vi.fn(() => 'blob:backup')
    Object.assign(URL, { createObjectURL, revokeObjectURL: vi.fn() })
    const user = renderConfig('admin', '/i/shop/config?tab=backups')
    const name = await screen.findByRole('textbox', { name: 'Backup name' })
    await fill(user, name, 'Before launch')
    await user.click(screen.getByRole('button', { name: 'Back up now' }))
    await waitFor(() => expect(name).toHaveAccessibleDescription(/exists/))
    await user.clear(name)
    await fill(user, name, 'Friday')
    await user.click(screen.getByRole('button', { name: 'Back up now' }))
    expect(await screen.findByText('Backup “Friday” created (revision 5)')).toBeInTheDocument()

    const table = screen.getByRole('table', { name: 'Backups' })
    await user.click(within(table).getByRole('button', { name: 'Restore Before launch' }))
    const dialog = await screen.findByRole('dialog', { name: 'Restore “Before launch”' })
    await user.click(within(dialog).getByRole('button', { name: 'Restore' }))
    expect(await screen.findByText(/Nothing to restore/)).toBeInTheDocument()
    expect(seen.some((r) => r.path === `${BASE}/backups/b-1/restore`)).toBe(true)

    await user.click(within(table).getByRole('button', { name: 'Download Before launch' }))
    await waitFor(() => expect(createObjectURL).toHaveBeenCalled())
  })
})

describe('ConfigPage · import & export', () => {
  const document = { format: 'steward.configuration/v1', values: { 'password.min_length': 12, 'shop.banner': 'Hi' }, definitions: {} }
  const preview = {
    revision: REVISION,
    applied: false,
    changes: [
      { key: 'password.min_length', before: null, after: { value: 12, definition: null } },
      { key: 'tokens.access_ttl_secs', before: { value: 1800, definition: null }, after: null },
    ],
  }

  function jsonFile(text: string, name = 'shop-configuration.json') {
    return new File([text], name, { type: 'application/json' })
  }

  it('previews the changes of a file, then applies them with the preview’s revision', async () => {
    const seen = stubConfig((r) => {
      if (r.method !== 'POST' || r.path !== `${BASE}/import`) return undefined
      return r.query.get('dry_run') === 'true' ? jsonResponse(preview) : jsonResponse({ ...preview, revision: REVISION + 1, applied: true })
    })
    const user = renderConfig('admin', '/i/shop/config?tab=transfer')
    await user.upload(await screen.findByLabelText('Configuration file (JSON)'), jsonFile(JSON.stringify(document)))

    const section = await screen.findByRole('region', { name: 'Import preview' })
    expect(section).toHaveTextContent('2 changes: 1 added, 1 removed.')
    const list = within(section).getByRole('list', { name: 'Changes to apply' })
    const items = within(list).getAllByRole('listitem')
    expect(items[0]).toHaveTextContent(/Added.*password\.min_length/)
    expect(items[1]).toHaveTextContent(/Removed.*tokens\.access_ttl_secs/)
    const dryRun = seen.find((r) => r.path === `${BASE}/import`)
    expect(dryRun?.query.get('dry_run')).toBe('true')
    expect(dryRun?.body).toEqual(document)

    await user.click(within(section).getByRole('button', { name: 'Apply 2 changes' }))
    expect(await screen.findByText('Configuration imported: 2 changes applied')).toBeInTheDocument()
    const applied = seen.filter((r) => r.path === `${BASE}/import`)[1]
    expect(applied.query.get('dry_run')).toBeNull()
    expect(applied.headers.get('If-Match')).toBe(`"r${REVISION}"`)
    expect(applied.body).toEqual(document)
  })

  it('says when a file is not JSON, and lists a refused document’s errors by field', async () => {
    const seen = stubConfig((r) =>
      r.path === `${BASE}/import`
        ? problem(422, 'validation_failed', 'The document has invalid entries.', {
            errors: [{ field: 'entries.password.min_length.value', code: 'maximum', message: 'Must be at most 128.' }],
          })
        : undefined,
    )
    const user = renderConfig('admin', '/i/shop/config?tab=transfer')
    const input = await screen.findByLabelText('Configuration file (JSON)')
    await user.upload(input, jsonFile('{"format": "steward', 'broken.json'))
    expect(await screen.findByRole('alert')).toHaveTextContent(/broken\.json is not valid JSON/)
    expect(seen.some((r) => r.path === `${BASE}/import`)).toBe(false)

    await user.upload(input, jsonFile(JSON.stringify({ ...document, values: { 'password.min_length': 500 } })))
    const problems = await screen.findByRole('list', { name: 'Problems in the file' })
    expect(problems).toHaveTextContent('entries.password.min_length.value Must be at most 128.')
    expect(screen.queryByRole('button', { name: /^Apply/ })).not.toBeInTheDocument()
  })

  it('exports to <slug>-configuration.json', async () => {
    stubConfig((r) => (r.path === `${BASE}/export` ? jsonResponse({ format: 'steward.configuration/v1', values: {}, definitions: {} }) : undefined))
    const createObjectURL = vi.fn(() => 'blob:export')
    Object.assign(URL, { createObjectURL, revokeObjectURL: vi.fn() })
    const clicked: string[] = []
    const click = vi.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(function (this: HTMLAnchorElement) {
      clicked.push(this.download)
    })
    const user = renderConfig('viewer', '/i/shop/config?tab=transfer')
    await user.click(await screen.findByRole('button', { name: 'Export' }))
    await waitFor(() => expect(clicked).toEqual(['shop-configuration.json']))
    // A viewer exports, and imports nothing.
    expect(screen.queryByLabelText('Configuration file (JSON)')).not.toBeInTheDocument()
    click.mockRestore()
  })
})
