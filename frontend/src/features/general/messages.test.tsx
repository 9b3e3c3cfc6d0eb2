import { fireEvent, screen, waitFor, within } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { beforeAll, describe, expect, it } from 'vitest'
import { jsonResponse, renderRoutes } from '../../test/render'
import { GeneralPage } from './GeneralPage'
import { describeFieldError, insertAt, sampleMetadata, type EmailTemplate, type PreviewInput, type Role, type TemplateList } from './model'
import { editorText, placeCaret, problem, stubFetch, stubLayoutForCodeMirror, typeInEditor } from './testing'

stubLayoutForCodeMirror()
// The editor is loaded lazily: load it once up front so each test finds it at once.
beforeAll(() => import('./TemplateCodeEditor'))

/** The body's code editor (its content element: a textbox named by the "Body" label). */
const findBody = () => screen.findByRole('textbox', { name: 'Body' }, { timeout: 10_000 })

const BASE = '/api/v1/instances/shop'

const variables = [
  { name: 'instance_name', description: "The instance's name", sample: 'Acme Shop' },
  { name: 'first_name', description: "The user's given name (may be empty)", sample: 'Ada' },
  { name: 'link', description: 'The action link', sample: 'https://steward.example/account/verify?token=sample' },
  { name: 'metadata', description: "The end user's metadata", sample: '{"plan":"pro","company":"Example Ltd"}' },
]

function template(kind: EmailTemplate['kind'], extra: Partial<EmailTemplate> = {}): EmailTemplate {
  const fragment = kind === 'greeting' || kind === 'footer'
  return {
    kind,
    title: { verification: 'Email verification', reset_password: 'Reset password', update_account: 'Update account', invitation: 'Invitation', greeting: 'Greeting', footer: 'Footer message' }[kind],
    fragment,
    subject: fragment ? null : `Subject of ${kind} for {{ instance_name }}`,
    body: `<p>Body of ${kind}</p>`,
    customized: false,
    updated_at: null,
    variables,
    ...extra,
  }
}

function list(): TemplateList {
  return {
    items: [
      template('verification'),
      template('reset_password', { customized: true, updated_at: '2026-11-20T10:00:00Z' }),
      template('update_account'),
      template('invitation'),
      template('greeting'),
      template('footer'),
    ],
    style: { font_family: 'Arial', font_size: 15 },
    fonts: ['Arial', 'Georgia', 'Verdana'],
    font_size_min: 10,
    font_size_max: 24,
  }
}

/** The preview the fake server renders: the draft's body, in its font, inside a page. */
function rendered(input: PreviewInput) {
  const firstName = input.end_user_id === 'u-grace' ? 'Grace' : 'Ada'
  const plan = input.end_user_id === 'u-grace' ? 'team' : 'pro'
  const body = (input.body ?? '')
    .replace(/\{\{\s*first_name\s*\}\}/g, firstName)
    .replace(/\{\{\s*metadata\.plan[^}]*\}\}/g, plan)
  return {
    subject: (input.subject ?? 'Verify').replace(/\{\{\s*instance_name\s*\}\}/g, 'Shop'),
    html: `<html><body style="font-family:${input.font_family};font-size:${input.font_size}px">${body}</body></html>`,
    text: body.replace(/<[^>]+>/g, ''),
  }
}

const endUser = {
  id: 'u-grace',
  email: 'grace@example.com',
  name: 'Grace Hopper',
  given_name: 'Grace',
  family_name: 'Hopper',
  status: 'active',
  blocked: false,
  email_verified: true,
  has_password: true,
  provider: 'password',
  metadata: { plan: 'team', seats: 12 },
  created_at: '2026-11-01T00:00:00Z',
  updated_at: '2026-11-01T00:00:00Z',
  last_login_at: null,
}

const unknownVariable = {
  field: 'body',
  code: 'template_unknown_variable',
  message: 'Line 3: unknown variable `undefined_var`; the email verification message knows: instance_name, first_name, link.',
  line: 3,
}

function renderMessages(role: Role, options: { saveFails?: boolean } = {}) {
  const data = list()
  const seen = stubFetch(({ method, path, query, body }) => {
    if (method === 'GET' && path === `${BASE}/email-templates`) return jsonResponse(data)
    const preview = path.match(/^\/api\/v1\/instances\/shop\/email-templates\/(\w+)\/preview$/)
    if (method === 'POST' && preview) {
      const input = body as PreviewInput
      if (input.body?.includes('undefined_var')) return problem(422, 'validation_failed', 'The request has invalid fields.', [unknownVariable])
      return jsonResponse(rendered(input))
    }
    const one = path.match(/^\/api\/v1\/instances\/shop\/email-templates\/(\w+)$/)
    if (method === 'PUT' && one) {
      if (options.saveFails) return problem(422, 'validation_failed', 'The request has invalid fields.', [unknownVariable])
      const saved = { ...data.items.find((t) => t.kind === one[1])!, ...(body as object), customized: true, updated_at: '2026-11-28T10:00:00Z' }
      return jsonResponse(saved)
    }
    if (method === 'DELETE' && one) {
      data.items = data.items.map((t) => (t.kind === one[1] ? template(t.kind) : t))
      return new Response(null, { status: 204 })
    }
    if (method === 'PUT' && path === `${BASE}/email-style`) return jsonResponse(body)
    if (method === 'GET' && path === `${BASE}/users`) {
      const q = (query.get('q') ?? '').toLowerCase()
      const items = [endUser].filter((u) => !q || u.email.includes(q) || u.name.toLowerCase().includes(q))
      return jsonResponse({ items, next_cursor: null, total: items.length, total_capped: false })
    }
    return undefined
  })
  const utils = renderRoutes(
    [{ path: '/i/:slug/general/:tab', element: <GeneralPage instance={{ slug: 'shop', role, timeZone: 'UTC' }} /> }],
    '/i/shop/general/emails',
  )
  return { seen, ...utils }
}

const previews = (seen: { method: string; path: string; body: unknown }[]) =>
  seen.filter((r) => r.method === 'POST' && r.path.endsWith('/preview')).map((r) => r.body as PreviewInput)

function previewFrame(): HTMLIFrameElement {
  return screen.getByTitle('Email preview') as HTMLIFrameElement
}

describe('template helpers', () => {
  it('inserts a variable in place of the selection', () => {
    expect(insertAt('<p>Hi </p>', '{{ first_name }}', 6, 6)).toEqual({ value: '<p>Hi {{ first_name }}</p>', caret: 22 })
    expect(insertAt('abc', 'X', 1, 2)).toEqual({ value: 'aXc', caret: 2 })
  })

  it('names the line once', () => {
    expect(describeFieldError({ message: 'Line 3: unknown variable', line: 3 })).toBe('Line 3: unknown variable')
    expect(describeFieldError({ message: 'unknown variable', line: 3 })).toBe('Line 3: unknown variable')
    expect(describeFieldError({ message: 'too long', line: null })).toBe('too long')
  })

  it('reads the sample metadata the API states', () => {
    expect(sampleMetadata('{"plan":"pro","company":"Example Ltd"}')).toEqual([
      ['plan', 'pro'],
      ['company', 'Example Ltd'],
    ])
    expect(sampleMetadata('{"seats":3}')).toEqual([['seats', '3']])
    expect(sampleMetadata('')).toBeNull()
    expect(sampleMetadata('[1]')).toBeNull()
    expect(sampleMetadata('{}')).toBeNull()
  })
})

describe('Email messages', () => {
  it('previews the draft live in a sandboxed frame, in the chosen font, with its plain-text part', async () => {
    const { seen } = renderMessages('developer')
    const body = await findBody()
    expect(screen.getByRole('radio', { name: 'Email verification' })).toBeChecked()
    expect(screen.getByText('Default')).toBeInTheDocument()

    await waitFor(() => expect(previewFrame().getAttribute('srcdoc')).toContain('<p>Body of verification</p>'))
    expect(previewFrame().getAttribute('sandbox')).toBe('')
    expect(screen.getByLabelText('Rendered subject')).toHaveTextContent('Subject of verification for Shop')

    typeInEditor(body, '<p>Body of verification</p>\n<p>Welcome aboard {{ first_name }}</p>')
    await waitFor(() => expect(previewFrame().getAttribute('srcdoc')).toContain('Welcome aboard Ada'), { timeout: 10_000 })
    expect(previews(seen).at(-1)).toEqual({
      subject: 'Subject of verification for {{ instance_name }}',
      body: '<p>Body of verification</p>\n<p>Welcome aboard {{ first_name }}</p>',
      font_family: 'Arial',
      font_size: 15,
    })
    expect(screen.getByText('Unsaved')).toBeInTheDocument()

    // The font panel drives the preview at once (no save needed).
    const size = screen.getByRole('textbox', { name: 'Font size' })
    fireEvent.change(size, { target: { value: '20 px' } })
    await waitFor(() => expect(previewFrame().getAttribute('srcdoc')).toContain('font-size:20px'), { timeout: 10_000 })

    const user = userEvent.setup()
    await user.click(screen.getByRole('radio', { name: 'Plain text' }))
    expect(screen.getByLabelText('Plain text part')).toHaveTextContent('Welcome aboard Ada')
    expect(screen.queryByTitle('Email preview')).not.toBeInTheDocument()

    await user.click(screen.getByRole('button', { name: 'Save font' }))
    await waitFor(() => expect(seen.some((r) => r.method === 'PUT' && r.path === `${BASE}/email-style`)).toBe(true))
    expect(seen.find((r) => r.path === `${BASE}/email-style`)?.body).toEqual({ font_family: 'Arial', font_size: 20 })
  })

  it('edits the body in a code editor that highlights HTML and the template tags, and that Tab leaves', async () => {
    renderMessages('developer')
    const body = await findBody()
    expect(body).toHaveAttribute('contenteditable', 'true')
    expect(body).toHaveAttribute('aria-multiline', 'true')
    expect(body).toHaveAccessibleDescription(expect.stringContaining('{% if %}'))
    typeInEditor(body, '<p style="color: red">Hi {{ first_name }}</p>\n{% if first_name %}<b>!</b>{% endif %}\n{# a note #}')
    await waitFor(() => expect(body.querySelector('.cm-template-expression')).toHaveTextContent('{{ first_name }}'))
    expect(Array.from(body.querySelectorAll('.cm-template-statement')).map((e) => e.textContent)).toEqual(['{% if first_name %}', '{% endif %}'])
    expect(body.querySelector('.cm-template-comment')).toHaveTextContent('{# a note #}')
    // HTML is highlighted by CodeMirror's own classes: a tag name is wrapped in a span.
    expect(Array.from(body.querySelectorAll('.cm-line span')).some((e) => e.textContent === 'p')).toBe(true)
    // …and the CSS of a style attribute (emails are styled inline).
    await waitFor(() => expect(Array.from(body.querySelectorAll('.cm-line span')).some((e) => e.textContent === 'red')).toBe(true))

    // Tab is not taken by the editor: it moves on to the next control, as in any form.
    const user = userEvent.setup()
    body.focus()
    expect(body).toHaveFocus()
    await user.tab()
    expect(body).not.toHaveFocus()
    expect(document.activeElement).toHaveRole('button')
    expect(editorText(body)).not.toContain('\t')
  })

  it('previews as a chosen end user, with their metadata, for every message, and back to sample data', async () => {
    const { seen } = renderMessages('developer')
    const body = await findBody()
    typeInEditor(body, '<p>Hi {{ first_name }}, plan {{ metadata.plan | default("") }}</p>')
    await waitFor(() => expect(previewFrame().getAttribute('srcdoc')).toContain('Hi Ada, plan pro'), { timeout: 10_000 })
    expect(seen.some((r) => r.path === `${BASE}/users`)).toBe(false)

    const user = userEvent.setup()
    await user.click(screen.getByLabelText('Preview as', { selector: 'input' }))
    await user.click(await screen.findByRole('option', { name: 'Grace Hopper <grace@example.com>', hidden: true }))
    await waitFor(() => expect(previewFrame().getAttribute('srcdoc')).toContain('Hi Grace, plan team'), { timeout: 10_000 })
    expect(previews(seen).at(-1)?.end_user_id).toBe('u-grace')
    // Which metadata fields the chosen user has, for `{{ metadata.… }}`.
    expect(screen.getByLabelText('Preview as', { selector: 'input' })).toHaveAccessibleDescription('Metadata fields: plan, seats')

    // Still chosen on another message.
    await user.click(screen.getByRole('radio', { name: /Reset password/ }))
    await waitFor(() => expect(previews(seen).at(-1)).toMatchObject({ body: '<p>Body of reset_password</p>', end_user_id: 'u-grace' }))
    expect(screen.getByLabelText('Preview as', { selector: 'input' })).toHaveValue('Grace Hopper <grace@example.com>')

    // Cleared: sample data again.
    await user.click(screen.getByLabelText('Preview as', { selector: 'input' }))
    await user.click(await screen.findByRole('option', { name: 'Sample data', hidden: true }))
    await waitFor(() => expect(previews(seen).at(-1)).toEqual({ subject: 'Subject of reset_password for {{ instance_name }}', body: '<p>Body of reset_password</p>', font_family: 'Arial', font_size: 15 }))
  })

  it('"Preview as" selects its text on focus, and never takes a text that matches nobody', async () => {
    const { seen } = renderMessages('developer')
    await findBody()
    const user = userEvent.setup()
    const picker = screen.getByLabelText('Preview as', { selector: 'input' }) as HTMLInputElement
    await user.click(picker)
    expect(picker).toHaveValue('Sample data')
    expect([picker.selectionStart, picker.selectionEnd]).toEqual([0, 'Sample data'.length])

    // Typing replaces the text; nobody matches: said beside the field, and Enter takes nothing.
    await user.keyboard('nobody@nowhere')
    expect(picker).toHaveValue('nobody@nowhere')
    await waitFor(() => expect(picker).toHaveAccessibleDescription('No end user matches “nobody@nowhere”: search by email or name.'), { timeout: 10_000 })
    expect(picker).toHaveAttribute('aria-invalid', 'true')
    await user.keyboard('{Enter}')
    expect(picker).toHaveValue('nobody@nowhere')

    // Leaving the field brings back the last choice.
    await user.tab()
    expect(picker).toHaveValue('Sample data')
    expect(picker).not.toHaveAttribute('aria-invalid', 'true')
    expect(previews(seen).every((p) => p.end_user_id === undefined)).toBe(true)

    // A text that matches: Enter takes the first match.
    await user.click(picker)
    await user.keyboard('grace')
    await screen.findByRole('option', { name: 'Grace Hopper <grace@example.com>', hidden: true })
    await waitFor(() => expect(seen.some((r) => r.path === `${BASE}/users` && new URLSearchParams(r.query).get('q') === 'grace')).toBe(true), { timeout: 10_000 })
    // Enter waits for the server's answer to what is typed (it takes nothing before).
    await waitFor(
      async () => {
        await user.keyboard('{Enter}')
        expect(picker).toHaveValue('Grace Hopper <grace@example.com>')
      },
      { timeout: 10_000 },
    )
    await waitFor(() => expect(previews(seen).at(-1)?.end_user_id).toBe('u-grace'), { timeout: 10_000 })
  })

  it('documents the end user’s metadata beside the editor, and inserts a field safely', async () => {
    renderMessages('developer')
    const body = await findBody()
    const variablesHelp = screen.getByRole('region', { name: 'Variables' })
    // `metadata` is not a plain variable to print whole.
    expect(within(variablesHelp).queryByRole('button', { name: 'Insert {{ metadata }}' })).not.toBeInTheDocument()
    const help = within(variablesHelp).getByRole('region', { name: 'End user’s metadata' })
    expect(help).toHaveTextContent('{{ metadata.plan }} prints the field plan of the user’s metadata')
    expect(help).toHaveTextContent('A field the user does not have prints nothing')
    expect(help).toHaveTextContent('{% if metadata.plan %}')
    expect(help).toHaveTextContent('sample data has plan “pro” and company “Example Ltd”')

    typeInEditor(body, '<p>Plan: </p>')
    placeCaret(body, 9)
    await userEvent.setup().click(within(help).getByRole('button', { name: 'Insert {{ metadata.plan }}' }))
    await waitFor(() => expect(editorText(body)).toBe('<p>Plan: {{ metadata.plan }}</p>'))
  })

  it('shows the error with its line under Body while typing, marks the line, and saves a valid draft', async () => {
    const { seen } = renderMessages('developer')
    const body = await findBody()
    typeInEditor(body, '<p>a</p>\n<p>b</p>\n<p>{{ undefined_var }}</p>')
    await waitFor(() => expect(body).toHaveAccessibleDescription(expect.stringContaining('Line 3: unknown variable `undefined_var`')), {
      timeout: 10_000,
    })
    expect(body).toHaveAttribute('aria-invalid', 'true')
    expect(screen.getByText(/The draft has errors/)).toBeInTheDocument()
    const lines = body.querySelectorAll('.cm-line')
    expect(lines[2]).toHaveClass('cm-template-error-line')
    expect(lines[0]).not.toHaveClass('cm-template-error-line')

    typeInEditor(body, '<p>Fine {{ first_name }}</p>')
    await waitFor(() => expect(body).not.toHaveAttribute('aria-invalid', 'true'), { timeout: 10_000 })
    expect(body.querySelector('.cm-template-error-line')).toBeNull()
    await userEvent.setup().click(screen.getByRole('button', { name: 'Save' }))
    await waitFor(() => expect(seen.some((r) => r.method === 'PUT')).toBe(true))
    expect(seen.find((r) => r.method === 'PUT')).toMatchObject({
      path: `${BASE}/email-templates/verification`,
      body: { subject: 'Subject of verification for {{ instance_name }}', body: '<p>Fine {{ first_name }}</p>' },
    })
    expect(await screen.findByText('“Email verification” saved')).toBeInTheDocument()
    expect(screen.getByText('Customized')).toBeInTheDocument()
    expect(screen.queryByText('Unsaved')).not.toBeInTheDocument()
  })

  it("shows a refused save's field error, with its line, under Body", async () => {
    renderMessages('developer', { saveFails: true })
    const body = await findBody()
    typeInEditor(body, '<p>x</p>')
    await userEvent.setup().click(screen.getByRole('button', { name: 'Save' }))
    await waitFor(() => expect(body).toHaveAccessibleDescription(expect.stringContaining('Line 3: unknown variable `undefined_var`')))
    expect(within(body.closest('.mantine-InputWrapper-root') as HTMLElement).getByText(/Line 3:/)).toHaveAttribute('data-line', '3')
  })

  it('types a font size without the half-typed number reaching the preview', async () => {
    const { seen } = renderMessages('developer')
    const size = await screen.findByRole('textbox', { name: 'Font size' })
    // Keys without a pause between them (`delay: null`): however busy the machine, the debounce
    // cannot end in the middle of the number.
    const user = userEvent.setup({ delay: null })
    await user.clear(size)
    await user.type(size, '18')
    await waitFor(() => expect(previews(seen).at(-1)?.font_size).toBe(18), { timeout: 10_000 })
    expect(previews(seen).map((p) => p.font_size)).not.toContain(1)
    expect(previews(seen).map((p) => p.font_size)).not.toContain(10)
    await user.tab()
    expect(size).toHaveValue('18 px')
  })

  it('steps the font size with named buttons that the keyboard reaches', async () => {
    const { seen } = renderMessages('developer')
    const size = await screen.findByRole('textbox', { name: 'Font size' })
    const user = userEvent.setup()
    const smaller = screen.getByRole('button', { name: 'Decrease font size' })
    const larger = screen.getByRole('button', { name: 'Increase font size' })
    expect(smaller).not.toHaveAttribute('tabindex', '-1')
    expect(larger).not.toHaveAttribute('tabindex', '-1')
    // Tab order: − then the box then +.
    smaller.focus()
    await user.tab()
    expect(size).toHaveFocus()
    await user.tab()
    expect(larger).toHaveFocus()
    await user.keyboard('{Enter}')
    await user.keyboard(' ')
    await waitFor(() => expect(size).toHaveValue('17 px'))
    await waitFor(() => expect(previews(seen).at(-1)?.font_size).toBe(17), { timeout: 10_000 })
    await user.click(smaller)
    await waitFor(() => expect(size).toHaveValue('16 px'))
  })

  it('asks before leaving the page with an unsaved message', async () => {
    const { router } = renderMessages('developer')
    const body = await findBody()
    typeInEditor(body, '<p>Changed</p>')
    const user = userEvent.setup()
    // Another message of the same page: no question, the draft is kept.
    await user.click(screen.getByRole('radio', { name: /Invitation/ }))
    await user.click(screen.getByRole('radio', { name: /Email verification/ }))
    expect(editorText(await findBody())).toBe('<p>Changed</p>')
    // Another page: asked first.
    await user.click(screen.getByRole('tab', { name: 'Email SMTP' }))
    const dialog = await screen.findByRole('dialog', { name: 'Leave without saving?' })
    await user.click(within(dialog).getByRole('button', { name: 'Stay' }))
    expect(router.state.location.pathname).toBe('/i/shop/general/emails')
    expect(editorText(await findBody())).toBe('<p>Changed</p>')
  })

  it('inserts a variable at the cursor', async () => {
    renderMessages('developer')
    const body = await findBody()
    typeInEditor(body, '<p>Hi </p>')
    placeCaret(body, 6)
    await userEvent.setup().click(screen.getByRole('button', { name: 'Insert {{ first_name }}' }))
    await waitFor(() => expect(editorText(body)).toBe('<p>Hi {{ first_name }}</p>'))
    expect(screen.getByText('Unsaved')).toBeInTheDocument()
  })

  it('inserts a variable into the subject when it was the last field used', async () => {
    renderMessages('developer')
    await findBody()
    const subject = screen.getByRole('textbox', { name: 'Subject' }) as HTMLInputElement
    subject.focus()
    subject.setSelectionRange(0, 0)
    await userEvent.setup().click(screen.getByRole('button', { name: 'Insert {{ first_name }}' }))
    expect(subject).toHaveValue('{{ first_name }}Subject of verification for {{ instance_name }}')
  })

  it('resets a customized message to the default after confirming', async () => {
    const { seen } = renderMessages('admin')
    const user = userEvent.setup()
    await user.click(await screen.findByRole('radio', { name: /Reset password/ }))
    expect(screen.getByText('Customized')).toBeInTheDocument()
    await user.click(screen.getByRole('button', { name: 'Reset to default' }))
    const dialog = await screen.findByRole('dialog', { name: 'Reset to default' })
    await user.click(within(dialog).getByRole('button', { name: 'Reset to default' }))
    await waitFor(() => expect(seen.some((r) => r.method === 'DELETE' && r.path === `${BASE}/email-templates/reset_password`)).toBe(true))
    expect(await screen.findByText('Default')).toBeInTheDocument()
  })

  it('previews a fragment without a subject', async () => {
    const { seen } = renderMessages('developer')
    await userEvent.setup().click(await screen.findByRole('radio', { name: /Greeting/ }))
    expect(editorText(await findBody())).toBe('<p>Body of greeting</p>')
    expect(screen.queryByRole('textbox', { name: 'Subject' })).not.toBeInTheDocument()
    await waitFor(() => expect(seen.some((r) => r.path === `${BASE}/email-templates/greeting/preview`)).toBe(true))
    const sent = seen.find((r) => r.path === `${BASE}/email-templates/greeting/preview`)?.body as PreviewInput
    expect(sent).not.toHaveProperty('subject')
  })

  it('is read-only for a viewer, who can still read the preview', async () => {
    renderMessages('viewer')
    const body = await findBody()
    expect(body).toHaveAttribute('aria-readonly', 'true')
    expect(screen.getByRole('textbox', { name: 'Subject' })).toHaveAttribute('readonly')
    expect(screen.queryByRole('button', { name: 'Save' })).not.toBeInTheDocument()
    expect(screen.queryByRole('button', { name: 'Save font' })).not.toBeInTheDocument()
    expect(screen.queryByRole('button', { name: /^Insert/ })).not.toBeInTheDocument()
    expect(screen.queryByRole('button', { name: /font size$/ })).not.toBeInTheDocument()
    expect(screen.getByRole('textbox', { name: 'Font size' })).toBeDisabled()
    await waitFor(() => expect(previewFrame().getAttribute('srcdoc')).toContain('<p>Body of verification</p>'))
  })
})
