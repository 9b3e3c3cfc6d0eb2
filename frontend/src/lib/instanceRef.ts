import type { Schemas } from '../api/client'

export type Role = Schemas['RoleDto']

/** What an area's pages need to know about the instance they are under (see app/instancePages.tsx). */
export interface InstanceRef {
  slug: string
  role: Role
  timeZone: string
}
