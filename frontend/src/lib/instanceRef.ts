import type { Schemas } from '../api/client'

export type Role = Schemas['RoleDto']

/** What an area's pages need to know about the instance they are under (see app/instancePages.tsx). */
export interface InstanceRef {
  slug: string
  /** The instance's display name (for page titles); the slug stands in where it is not known. */
  name?: string
  role: Role
  timeZone: string
}
