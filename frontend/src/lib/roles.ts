import type { Role } from './instanceRef'

/** Names and one-line descriptions of the instance roles (invitations, member lists, the invitation page). */
export const ROLE_LABELS: Record<Role, string> = {
  owner: 'Owner',
  admin: 'Admin',
  developer: 'Developer',
  viewer: 'Viewer',
}

export const ROLE_DESCRIPTIONS: Record<Role, string> = {
  owner: 'Everything, including owners, the security policy and deleting the instance',
  admin: 'Instance settings, SMTP and members (except owners), and all a developer does',
  developer: 'Applications, users, branding and email templates; not settings or members',
  viewer: 'Reads everything, changes nothing',
}
