import { screen, waitFor, within } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { describe, expect, it } from 'vitest'
import { stubApi } from '../../test/api'
import { jsonResponse, renderPage } from '../../test/render'
import { stubXhr, type XhrReply } from '../../test/xhr'
import { checkHeader, parseCsv, previewCsv } from './csvImport'
import { ImportUsersModal } from './ImportUsersModal'
import { UsersPage } from './UsersPage'

const LIST = '/api/v1/instances/shop/users'
const FIRST_LOAD = { timeout: 5000 }

function csvFile(text: string, name = 'users.csv') {
  return new File([text], name, { type: 'text/csv' })
}

const badRow = { line: 3, email: 'not-an-email', errors: [{ field: 'email', code: 'invalid_email', message: 'Not a valid email address.' }] }

describe('Import users', () => {
  it('previews the file, shows the dry run’s rejected rows, takes a fixed file and imports it with progress', async () => {
    const lists = stubApi((request) =>
      request.method === 'GET' && request.path === LIST ? jsonResponse({ items: [], next_cursor: null, total: 0, total_capped: false }) : undefined,
    )
    let release: () => void = () => {}
    const answered = new Promise<void>((resolve) => (release = resolve))
    let checks = 0
    const uploads = stubXhr(async (request): Promise<XhrReply> => {
      if (request.url.includes('dry_run=true')) {
        checks++
        return checks === 1
          ? { status: 200, body: { accepted: 2, rejected: [badRow], dry_run: true } }
          : { status: 200, body: { accepted: 3, rejected: [], dry_run: true } }
      }
      await answered
      return { status: 200, body: { accepted: 3, rejected: [], dry_run: false } }
    })
    renderPage(<UsersPage instance={{ slug: 'shop', role: 'developer', timeZone: 'UTC' }} />, '/i/shop/users')
    const user = userEvent.setup()
    await user.click(await screen.findByRole('button', { name: 'Import' }, FIRST_LOAD))
    const dialog = await screen.findByRole('dialog', { name: 'Import users' })

    const first = csvFile('email,given_name,id\r\nada@example.com,Ada,1\r\nnot-an-email,Bob,2\r\n"grace@example.com","Grace ""G""",3\r\n')
    await user.upload(within(dialog).getByLabelText('CSV file'), first)

    // The first rows and the header check, before the server answers.
    const preview = await within(dialog).findByRole('table', { name: 'Preview of the first rows' })
    expect(preview).toHaveTextContent('ada@example.com')
    expect(preview).toHaveTextContent('Grace "G"')
    const header = within(dialog).getByRole('region', { name: 'Header check' })
    expect(header).toHaveTextContent('email · imported')
    expect(header).toHaveTextContent('id · ignored')
    expect(header).toHaveTextContent('Header row OK.')

    // The dry run: nothing created, the refused rows listed by line.
    const check = await within(dialog).findByRole('region', { name: 'Check result' })
    expect(check).toHaveTextContent('2 rows ready to import')
    expect(check).toHaveTextContent('1 row has problems and would be skipped')
    const rejected = within(check).getByRole('table', { name: 'Rejected rows' })
    const cells = within(rejected).getAllByRole('cell').map((c) => c.textContent)
    expect(cells).toEqual(['3', 'not-an-email', 'email', 'Not a valid email address.'])
    expect(uploads[0]).toMatchObject({ method: 'POST', headers: { 'content-type': 'text/csv' } })
    expect(uploads[0].url).toMatch(/\/api\/v1\/instances\/shop\/users\/import\?dry_run=true$/)
    expect(uploads[0].body).toBe(first)
    expect(within(dialog).getByRole('button', { name: 'Import 2 users' })).toBeEnabled()

    // The admin fixes the file and chooses it again.
    const fixed = csvFile('email,given_name\nada@example.com,Ada\nbob@example.com,Bob\ngrace@example.com,Grace\n', 'fixed.csv')
    await user.upload(within(dialog).getByLabelText('CSV file'), fixed)
    await waitFor(() => expect(within(dialog).getByRole('region', { name: 'Check result' })).toHaveTextContent('3 rows ready to import'))
    expect(within(dialog).getByRole('region', { name: 'Check result' })).toHaveTextContent('Every row passed the check')
    expect(within(dialog).queryByRole('table', { name: 'Rejected rows' })).not.toBeInTheDocument()
    expect(uploads).toHaveLength(2)

    const listsBefore = lists.length
    await user.click(within(dialog).getByRole('button', { name: 'Import 3 users' }))
    expect(await within(dialog).findByRole('progressbar', { name: 'Import progress' })).toBeInTheDocument()
    // Not closable while the import runs.
    expect(within(dialog).getByRole('button', { name: 'Cancel' })).toBeDisabled()
    release()

    const result = await within(dialog).findByRole('region', { name: 'Import result' })
    expect(result).toHaveTextContent('3 users imported')
    expect(result).toHaveTextContent('3 users were created.')
    expect(uploads[2].url).toMatch(/\/users\/import$/)
    expect(uploads[2].body).toBe(fixed)
    // The users list is fetched again.
    await waitFor(() => expect(lists.length).toBeGreaterThan(listsBefore))
    await user.click(within(dialog).getByRole('button', { name: 'Done' }))
    await waitFor(() => expect(screen.queryByRole('dialog')).not.toBeInTheDocument())
  })

  it('refuses a header without email before sending anything', async () => {
    const uploads = stubXhr(() => ({ status: 200, body: { accepted: 0, rejected: [], dry_run: true } }))
    renderPage(<ImportUsersModal slug="shop" opened onClose={() => {}} />)
    const user = userEvent.setup()
    await user.upload(await screen.findByLabelText('CSV file', undefined, FIRST_LOAD), csvFile('mail,name\nada@example.com,Ada\n'))
    const alert = await within(screen.getByRole('dialog', { name: 'Import users' })).findByRole('alert')
    expect(alert).toHaveTextContent('The header row cannot be imported')
    expect(alert).toHaveTextContent('The first row must name the columns and include email')
    expect(screen.getByRole('button', { name: 'Import' })).toBeDisabled()
    expect(uploads).toHaveLength(0)
  })

  it("shows the server's reason when it refuses the whole file", async () => {
    stubXhr(() => ({
      status: 400,
      body: { type: 'about:blank', title: 'Bad Request', status: 400, code: 'invalid_csv', detail: 'Line 3 is not valid CSV: found record with 3 fields, but the previous record has 2 fields.' },
    }))
    renderPage(<ImportUsersModal slug="shop" opened onClose={() => {}} />)
    const user = userEvent.setup()
    await user.upload(await screen.findByLabelText('CSV file', undefined, FIRST_LOAD), csvFile('email,name\na@example.com,A\nb@example.com,B,extra\n'))
    const alert = await within(screen.getByRole('dialog', { name: 'Import users' })).findByRole('alert')
    expect(alert).toHaveTextContent('This file cannot be imported')
    expect(alert).toHaveTextContent('Line 3 is not valid CSV')
    expect(screen.getByRole('button', { name: 'Import' })).toBeDisabled()
  })
})

describe('csvImport', () => {
  it('parses quotes, doubled quotes, CRLF, newlines in quotes and blank lines', () => {
    expect(parseCsv('a,b\r\n"x, y","say ""hi"""\n\n"multi\nline",2').records).toEqual([
      ['a', 'b'],
      ['x, y', 'say "hi"'],
      ['multi\nline', '2'],
    ])
  })

  it('checks the header as the server does', () => {
    expect(checkHeader([' Email ', 'NAME', 'created_at']).problem).toBeNull()
    expect(checkHeader(['name']).problem).toMatch(/must name the columns and include email/)
    expect(checkHeader(['email', 'plan']).problem).toMatch(/Unknown column "plan"/)
  })

  it('refuses a file that is not UTF-8', async () => {
    await expect(previewCsv(new File([new Uint8Array([0x65, 0x6d, 0xff, 0xfe])], 'latin1.csv'))).rejects.toThrow(/not UTF-8/)
  })
})
