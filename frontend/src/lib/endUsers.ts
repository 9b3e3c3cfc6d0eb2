import type { Schemas } from '../api/client'

type EndUser = Pick<Schemas['UserDto'], 'id' | 'name' | 'given_name' | 'family_name' | 'email' | 'provider'>

/** A short, stable tag for a user with neither email nor name: the end of their id. */
export function shortUserId(id: string): string {
  return id.replace(/-/g, '').slice(-8)
}

/** The user's name: the display name, else the given and family names; empty when none is set. */
export function endUserName(user: Pick<EndUser, 'name' | 'given_name' | 'family_name'>): string {
  return user.name.trim() || [user.given_name, user.family_name].filter(Boolean).join(' ').trim()
}

/**
 * How to name an end user in a sentence or a title: their name, else their email, else (a guest,
 * an X account without an address) "Guest 1a2b3c4d" / "User 1a2b3c4d" from their id. Never empty.
 */
export function endUserLabel(user: EndUser): string {
  return endUserName(user) || user.email || `${user.provider === 'guest' ? 'Guest' : 'User'} ${shortUserId(user.id)}`
}

/** The user's address, else the same fallback as `endUserLabel` (for places that lead with the email). */
export function endUserAddress(user: EndUser): string {
  return user.email || endUserLabel(user)
}
