/**
 * Where to go after signing in or up: a `?next=` path of this console only. Anything else (another
 * origin, `//host`, `/\host`, a scheme) is ignored so the parameter cannot send users elsewhere.
 */
export function safeNext(value: string | null | undefined): string | null {
  if (!value || !value.startsWith('/') || value.startsWith('//') || value.startsWith('/\\')) return null
  // oxlint-disable-next-line no-control-regex
  if (/[\u0000-\u001f]/.test(value)) return null
  return value
}

/** `/login?next=…&email=…`, `/signup?…`: the sign-in pages with the way back and a prefilled address. */
export function authLink(path: '/login' | '/signup', next: string, email?: string): string {
  const params = new URLSearchParams({ next })
  if (email) params.set('email', email)
  return `${path}?${params.toString()}`
}
