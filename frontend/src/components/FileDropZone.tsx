import { Box } from '@mantine/core'
import { useRef, useState, type DragEvent, type ReactNode } from 'react'

/**
 * A drop zone for one file: drag a file onto it, or click it to choose one. It is a group named
 * `label`; the keyboard's way in is a real button among `children` (e.g. "Choose a file"), whose
 * click reaches the zone. (Not a button itself: its name would have to contain all the text
 * inside it, WCAG 2.5.3.) The hidden file input is labelled `inputLabel` (what tests find).
 */
export function FileDropZone({
  accept,
  onFile,
  disabled = false,
  label,
  inputLabel,
  children,
}: {
  accept: string
  onFile: (file: File) => void
  disabled?: boolean
  /** The accessible name of the zone; `children` should hold a button to choose a file. */
  label: string
  inputLabel: string
  children: ReactNode
}) {
  const input = useRef<HTMLInputElement>(null)
  const [over, setOver] = useState(false)
  const open = () => {
    if (!disabled) input.current?.click()
  }
  const onDrag = (event: DragEvent<HTMLDivElement>) => {
    event.preventDefault()
    if (!disabled) {
      event.dataTransfer.dropEffect = 'copy'
      setOver(true)
    }
  }

  return (
    <>
      <Box
        role="group"
        aria-label={label}
        aria-disabled={disabled || undefined}
        data-active={over || undefined}
        onClick={open}
        onDragEnter={onDrag}
        onDragOver={onDrag}
        onDragLeave={(event) => {
          if (!event.currentTarget.contains(event.relatedTarget as Node | null)) setOver(false)
        }}
        onDrop={(event) => {
          event.preventDefault()
          setOver(false)
          const file = event.dataTransfer.files?.[0]
          if (file && !disabled) onFile(file)
        }}
        p="xl"
        style={{
          border: `2px dashed var(--mantine-color-${over ? 'blue-6' : 'gray-4'})`,
          borderRadius: 'var(--mantine-radius-md)',
          background: over ? 'var(--mantine-color-blue-0)' : 'var(--mantine-color-gray-0)',
          cursor: disabled ? 'not-allowed' : 'pointer',
          opacity: disabled ? 0.6 : 1,
          transition: 'background 120ms, border-color 120ms',
        }}
      >
        {children}
      </Box>
      <input
        ref={input}
        type="file"
        accept={accept}
        hidden
        disabled={disabled}
        aria-label={inputLabel}
        onChange={(event) => {
          const file = event.currentTarget.files?.[0]
          // Cleared so that choosing the same file again fires `change` again.
          event.currentTarget.value = ''
          if (file) onFile(file)
        }}
      />
    </>
  )
}
