import { useCallback, useState, type ReactNode } from 'react'
import { LeaveGuardScope } from './leaveGuardScope'
import { useUnsavedChangesGuard } from './useUnsavedChangesGuard'

/**
 * One "Leave without saving?" guard for a page with several forms (a router has one blocker at a
 * time): each form inside calls `useLeaveGuard(dirty, message)`, and the guard asks while any of
 * them is dirty, saying which changes would be lost.
 */
export function UnsavedChangesScope({ children }: { children: ReactNode }) {
  const [dirty, setDirty] = useState<Record<string, string>>({})
  const report = useCallback(
    (form: string, message: string | null) =>
      setDirty((prev) => {
        if (message === null) {
          if (!(form in prev)) return prev
          const next = { ...prev }
          delete next[form]
          return next
        }
        return prev[form] === message ? prev : { ...prev, [form]: message }
      }),
    [],
  )
  const messages = Object.values(dirty)
  const guard = useUnsavedChangesGuard(messages.length > 0, messages.join(' '))
  return (
    <LeaveGuardScope.Provider value={report}>
      {guard}
      {children}
    </LeaveGuardScope.Provider>
  )
}

/** One form's own guard (see `useLeaveGuard`), for a form that is alone on its page. */
export function LeaveGuard({ dirty, message }: { dirty: boolean; message: string }) {
  return useUnsavedChangesGuard(dirty, message)
}
