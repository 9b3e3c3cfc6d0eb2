import { PasswordInput, type PasswordInputProps } from '@mantine/core'
import { type KeyboardEvent, type MouseEvent, useRef, useState } from 'react'

/**
 * A password input whose show/hide toggle everyone can use. Mantine leaves the toggle out of the
 * tab order (`tabIndex=-1`), names every toggle alike ("Toggle password visibility") and flips it
 * on mouse-down and Enter/Space only. Here it is in the tab order, named after its field
 * (`toggleLabel`, e.g. "Show repeated password"; `aria-pressed` says whether it is shown), and a
 * click that comes from neither a pointer nor a key (a screen reader's) flips it too.
 * An error marks the input itself `aria-invalid`.
 * Keep the field's label out of `toggleLabel` ("Show password" beside "New password", not "Show
 * the new password"): a search by label, as Playwright's `getByLabel`, matches parts of names.
 */
export function PasswordField({
  toggleLabel = 'Show password',
  visibilityToggleButtonProps,
  defaultVisible = false,
  ...props
}: Omit<PasswordInputProps, 'visible' | 'onVisibilityChange'> & { toggleLabel?: string }) {
  const [visible, setVisible] = useState(defaultVisible)
  // When Enter/Space last flipped it: a browser may follow the key with a click of its own.
  const keyAt = useRef(0)
  return (
    <PasswordInput
      // Mantine marks only the wrapper invalid: say it on the input itself, as other inputs do.
      aria-invalid={Boolean(props.error) || undefined}
      {...props}
      visible={visible}
      onVisibilityChange={setVisible}
      visibilityToggleFocusable
      visibilityToggleButtonProps={{
        'aria-label': toggleLabel,
        ...visibilityToggleButtonProps,
        onKeyDown: (event: KeyboardEvent<HTMLButtonElement>) => {
          if (event.key === ' ' || event.key === 'Enter') keyAt.current = Date.now()
        },
        onClick: (event: MouseEvent<HTMLButtonElement>) => {
          // A pointer click (detail > 0) already flipped it on mouse-down.
          if (event.detail > 0 || Date.now() - keyAt.current < 1000) return
          setVisible((shown) => !shown)
        },
      }}
    />
  )
}
