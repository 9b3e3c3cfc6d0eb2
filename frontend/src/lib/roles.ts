import type { Role } from './instanceRef'

/** Names and one-line descriptions of the instance roles (invitations, member lists, the invitation page). */
export const ROLE_LABELS: Record<Role, string> = {
  owner: 'Owner',
  admin: 'Admin',
  developer: 'Developer',
  viewer: 'Viewer',
}

/**
 * What each role may do, as the server enforces it (crates/domain/src/role.rs and the role each
 * route requires): shown wherever a role is chosen or granted.
 */
export const ROLE_DESCRIPTIONS: Record<Role, string> = {
  owner: 'Everything an admin does, plus deleting the instance, making or removing owners, and requiring two-factor sign-in of every member',
  admin: 'Everything a developer does, plus the instance settings, SMTP, signing keys, the audit log, and members and invitations (except owners)',
  developer: 'Applications, end users, the logo, email messages and queued emails; reads the rest except the audit log and invitations',
  viewer: 'Reads the instance and changes nothing; one-time links in sent emails are redacted; no audit log or invitations',
}
