import { createContext } from 'react'

/** Tells the page's one leave guard whether a form is dirty (`message`) or not (`null`). */
export type ReportDirty = (form: string, message: string | null) => void

/** Set by `UnsavedChangesScope`: the forms inside it share its guard. */
export const LeaveGuardScope = createContext<ReportDirty | null>(null)
