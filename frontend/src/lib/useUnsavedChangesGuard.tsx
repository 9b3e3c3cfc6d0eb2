import { Button, Group, Modal, Stack, Text } from '@mantine/core'
import { useEffect, type ReactNode } from 'react'
import { useBlocker, useLocation } from 'react-router'

/**
 * Navigation state for leaving on purpose, where the unsaved changes no longer matter (the thing
 * being edited was just deleted): `navigate(to, { state: LEAVE_WITHOUT_ASKING })`.
 */
export const LEAVE_WITHOUT_ASKING = { leaveWithoutAsking: true } as const

function leavesWithoutAsking(state: unknown): boolean {
  return (state as { leaveWithoutAsking?: unknown } | null)?.leaveWithoutAsking === true
}

/**
 * Asks before leaving a page with unsaved changes: navigating to another page of the console
 * (query-string changes within the page are not leaving) shows "Leave without saving?", and
 * closing or reloading the tab shows the browser's own prompt. Pass `dirty` as "the form has
 * changes and is not being saved"; render the returned element (the confirmation) on the page.
 *
 * A router has one blocker at a time: use it once per page (for the page's main form).
 */
export function useUnsavedChangesGuard(dirty: boolean, message = 'Your unsaved changes will be lost.'): ReactNode {
  // The page this form is on. Once the router has left it (on purpose, or after "Leave"), the next
  // navigation is none of this form's business, even while React has not yet unmounted it (a
  // click right after leaving would otherwise be blocked, and dropped with the unmounted form).
  const { pathname } = useLocation()
  const blocker = useBlocker(
    ({ currentLocation, nextLocation }) =>
      dirty &&
      currentLocation.pathname === pathname &&
      currentLocation.pathname !== nextLocation.pathname &&
      !leavesWithoutAsking(nextLocation.state),
  )

  useEffect(() => {
    if (!dirty) return
    const onBeforeUnload = (event: BeforeUnloadEvent) => {
      event.preventDefault()
    }
    window.addEventListener('beforeunload', onBeforeUnload)
    return () => window.removeEventListener('beforeunload', onBeforeUnload)
  }, [dirty])

  // Saved (or reverted) while the question was open: nothing is lost any more, so go on.
  useEffect(() => {
    if (blocker.state === 'blocked' && !dirty) blocker.proceed()
  }, [blocker, dirty])

  return (
    <Modal opened={blocker.state === 'blocked'} onClose={() => blocker.reset?.()} title="Leave without saving?" centered>
      <Stack>
        <Text size="sm">{message}</Text>
        <Group justify="flex-end">
          <Button variant="default" onClick={() => blocker.reset?.()}>
            Stay
          </Button>
          <Button color="red" onClick={() => blocker.proceed?.()}>
            Leave
          </Button>
        </Group>
      </Stack>
    </Modal>
  )
}
