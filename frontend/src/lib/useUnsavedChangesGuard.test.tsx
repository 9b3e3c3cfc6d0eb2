import { TextInput } from '@mantine/core'
import { useForm } from '@mantine/form'
import { act, screen, waitFor } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { describe, expect, it } from 'vitest'
import { Link } from 'react-router'
import { renderRoutes } from '../test/render'
import { LEAVE_WITHOUT_ASKING, useUnsavedChangesGuard } from './useUnsavedChangesGuard'

function EditPage() {
  const form = useForm({ initialValues: { name: 'Acme' } })
  const guard = useUnsavedChangesGuard(form.isDirty(), 'The name has unsaved changes.')
  return (
    <>
      {guard}
      <TextInput label="Name" {...form.getInputProps('name')} />
      <Link to="/elsewhere">Elsewhere</Link>
      <Link to="?tab=2">Same page</Link>
    </>
  )
}

function renderEdit() {
  return renderRoutes(
    [
      { path: '/edit', element: <EditPage /> },
      { path: '/elsewhere', element: <p>another page</p> },
      { path: '/third', element: <p>a third page</p> },
    ],
    '/edit',
  )
}

describe('useUnsavedChangesGuard', () => {
  it('leaves a clean form at once', async () => {
    const { router } = renderEdit()
    await userEvent.setup().click(screen.getByRole('link', { name: 'Elsewhere' }))
    expect(await screen.findByText('another page')).toBeInTheDocument()
    expect(router.state.location.pathname).toBe('/elsewhere')
  })

  it('asks before leaving a dirty form: Stay keeps the edits, Leave goes', async () => {
    const { router } = renderEdit()
    const user = userEvent.setup()
    await user.type(screen.getByLabelText('Name'), ' Corp')
    await user.click(screen.getByRole('link', { name: 'Elsewhere' }))

    const dialog = await screen.findByRole('dialog', { name: 'Leave without saving?' })
    expect(dialog).toHaveTextContent('The name has unsaved changes.')
    await user.click(screen.getByRole('button', { name: 'Stay' }))
    await waitFor(() => expect(screen.queryByRole('dialog')).not.toBeInTheDocument())
    expect(router.state.location.pathname).toBe('/edit')
    expect(screen.getByLabelText('Name')).toHaveValue('Acme Corp')

    await user.click(screen.getByRole('link', { name: 'Elsewhere' }))
    await screen.findByRole('dialog', { name: 'Leave without saving?' })
    await user.click(screen.getByRole('button', { name: 'Leave' }))
    expect(await screen.findByText('another page')).toBeInTheDocument()
  })

  it('does not ask for a change of query string within the page, nor when leaving on purpose', async () => {
    const { router } = renderEdit()
    const user = userEvent.setup()
    await user.type(screen.getByLabelText('Name'), '!')
    await user.click(screen.getByRole('link', { name: 'Same page' }))
    await waitFor(() => expect(router.state.location.search).toBe('?tab=2'))
    expect(screen.queryByRole('dialog')).not.toBeInTheDocument()

    await act(() => router.navigate('/elsewhere', { state: LEAVE_WITHOUT_ASKING }))
    expect(await screen.findByText('another page')).toBeInTheDocument()
  })

  it('does not hold up a navigation made after leaving on purpose, before the page is gone', async () => {
    // E.g. a click in the navigation right after "Create instance" left its form: the router is
    // already elsewhere while React has not yet unmounted the form (and its blocker).
    const { router } = renderEdit()
    await userEvent.setup().type(screen.getByLabelText('Name'), '!')
    await act(async () => {
      const left = router.navigate('/elsewhere', { state: LEAVE_WITHOUT_ASKING })
      const next = router.navigate('/third')
      await Promise.all([left, next])
    })
    expect(await screen.findByText('a third page')).toBeInTheDocument()
    expect(router.state.location.pathname).toBe('/third')
    expect(screen.queryByRole('dialog')).not.toBeInTheDocument()
  })

  it('asks the browser before closing the tab only while dirty', async () => {
    renderEdit()
    const clean = new Event('beforeunload', { cancelable: true })
    window.dispatchEvent(clean)
    expect(clean.defaultPrevented).toBe(false)

    await userEvent.setup().type(screen.getByLabelText('Name'), '!')
    const dirty = new Event('beforeunload', { cancelable: true })
    window.dispatchEvent(dirty)
    expect(dirty.defaultPrevented).toBe(true)
  })
})
