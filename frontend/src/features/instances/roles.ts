import type { Schemas } from '../../api/client'

export type Role = Schemas['RoleDto']
export type Instance = Schemas['InstanceDto']
export type Member = Schemas['MemberDto']
export type Invitation = Schemas['InvitationDto']

export const ROLES: Role[] = ['owner', 'admin', 'developer', 'viewer']

export { ROLE_DESCRIPTIONS, ROLE_LABELS } from '../../lib/roles'

export const ROLE_COLORS: Record<Role, string> = {
  owner: 'grape',
  admin: 'blue',
  developer: 'teal',
  viewer: 'gray',
}

/** What a caller with `role` may do — mirrors the server's policy to hide what would be refused. */
export const can = {
  editInstance: (role: Role) => role === 'owner' || role === 'admin',
  deleteInstance: (role: Role) => role === 'owner',
  /** Require two-factor sign-in of every member (the security policy). */
  editSecurityPolicy: (role: Role) => role === 'owner',
  readAuditLog: (role: Role) => role === 'owner' || role === 'admin',
  manageManagementClients: (role: Role) => role === 'owner' || role === 'admin',
  /** Every member reads webhooks; admins and owners change them. */
  manageWebhooks: (role: Role) => role === 'owner' || role === 'admin',
  manageMembers: (role: Role) => role === 'owner' || role === 'admin',
  /** May `caller` change or remove a member who currently holds `target`? */
  manageMember: (caller: Role, target: Role) => caller === 'owner' || (caller === 'admin' && target !== 'owner'),
  /** Roles `caller` may grant. */
  grantable: (caller: Role): Role[] =>
    caller === 'owner' ? ROLES : caller === 'admin' ? ['admin', 'developer', 'viewer'] : [],
}
