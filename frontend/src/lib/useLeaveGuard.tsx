import { useContext, useEffect, useId, type ReactNode } from 'react'
import { LeaveGuardScope } from './leaveGuardScope'
import { LeaveGuard } from './UnsavedChangesScope'

/**
 * `useUnsavedChangesGuard` for a form that may share its page with other forms: inside an
 * `UnsavedChangesScope` it reports to the page's one guard (and returns nothing to render);
 * alone, it is its own guard (render what it returns).
 */
export function useLeaveGuard(dirty: boolean, message: string): ReactNode {
  const report = useContext(LeaveGuardScope)
  const form = useId()
  useEffect(() => {
    if (!report) return
    report(form, dirty ? message : null)
    return () => report(form, null)
  }, [report, form, dirty, message])
  return report ? null : <LeaveGuard dirty={dirty} message={message} />
}
