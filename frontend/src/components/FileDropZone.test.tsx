import { Button } from '@mantine/core'
import { fireEvent, screen } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { describe, expect, it, vi } from 'vitest'
import { renderPage } from '../test/render'
import { FileDropZone } from './FileDropZone'

function zone(onFile: (file: File) => void, disabled = false) {
  return renderPage(
    <FileDropZone accept=".csv" onFile={onFile} disabled={disabled} label="Import: drop a CSV file here or choose one" inputLabel="CSV file">
      <p>Drop a CSV file here</p>
      <Button disabled={disabled}>Choose a file</Button>
    </FileDropZone>,
  )
}

const csv = () => new File(['email\na@example.com\n'], 'users.csv', { type: 'text/csv' })

describe('FileDropZone', () => {
  it('is a named group (not a button whose name would hide its text), entered by its real button', async () => {
    const user = userEvent.setup()
    zone(vi.fn())
    expect(screen.getByRole('group', { name: 'Import: drop a CSV file here or choose one' })).toHaveTextContent('Drop a CSV file here')
    expect(screen.queryByRole('button', { name: /Import: drop/ })).not.toBeInTheDocument()
    const input = screen.getByLabelText('CSV file') as HTMLInputElement
    const picker = vi.spyOn(input, 'click')
    await user.tab()
    expect(screen.getByRole('button', { name: 'Choose a file' })).toHaveFocus()
    await user.keyboard('{Enter}')
    expect(picker).toHaveBeenCalledTimes(1)
  })

  it('hands over a chosen or a dropped file', async () => {
    const onFile = vi.fn()
    zone(onFile)
    await userEvent.setup().upload(screen.getByLabelText('CSV file'), csv())
    expect(onFile).toHaveBeenCalledTimes(1)
    fireEvent.drop(screen.getByRole('group'), { dataTransfer: { files: [csv()] } })
    expect(onFile).toHaveBeenCalledTimes(2)
    expect(onFile.mock.calls[1][0]).toHaveProperty('name', 'users.csv')
  })

  it('takes nothing while disabled', () => {
    const onFile = vi.fn()
    zone(onFile, true)
    fireEvent.drop(screen.getByRole('group'), { dataTransfer: { files: [csv()] } })
    expect(onFile).not.toHaveBeenCalled()
    expect(screen.getByRole('group')).toHaveAttribute('aria-disabled', 'true')
  })
})
