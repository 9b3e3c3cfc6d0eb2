import { screen } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { describe, expect, it } from 'vitest'
import { renderPage } from '../test/render'
import { PasswordField } from './PasswordField'

describe('PasswordField', () => {
  it('puts its show/hide toggle in the tab order, named, and flips it from the keyboard', async () => {
    const user = userEvent.setup()
    renderPage(<PasswordField label="Password" toggleLabel="Show password" />)
    const input = screen.getByLabelText('Password', { selector: 'input' })
    await user.click(input)
    await user.keyboard('secret')
    await user.tab()
    const toggle = screen.getByRole('button', { name: 'Show password' })
    expect(toggle).toHaveFocus()
    expect(toggle).toHaveAttribute('aria-pressed', 'false')
    await user.keyboard(' ')
    expect(input).toHaveAttribute('type', 'text')
    expect(toggle).toHaveAttribute('aria-pressed', 'true')
    await user.keyboard('{Enter}')
    expect(input).toHaveAttribute('type', 'password')
  })

  it('marks the input itself invalid and described by the error', () => {
    renderPage(<PasswordField label="New password" error="At least 8 characters" />)
    const input = screen.getByLabelText('New password', { selector: 'input' })
    expect(input).toHaveAttribute('aria-invalid', 'true')
    expect(input).toHaveAccessibleDescription(/At least 8 characters/)
  })

  it('is not marked invalid without an error', () => {
    renderPage(<PasswordField label="New password" />)
    expect(screen.getByLabelText('New password', { selector: 'input' })).not.toHaveAttribute('aria-invalid')
  })
})
