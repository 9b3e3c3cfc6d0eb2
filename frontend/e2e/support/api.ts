/** Arranging a test through the server's HTTP API (faster than the forms, which other specs cover). */
import { expect } from '@playwright/test'

/** A JSON call to the server: the status and the parsed body (null when empty; untyped: a test reads the fields it asserts on). */
export async function call(base: string, method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: { 'content-type': 'application/json', ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  })
  const text = await res.text()
  return { status: res.status, json: text ? JSON.parse(text) : null }
}

/** `call`, expecting `status`; returns the body. */
export async function expectCall(status: number, base: string, method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
  const answer = await call(base, method, path, body, headers)
  expect(answer.status, `${method} ${path}: ${JSON.stringify(answer.json)}`).toBe(status)
  return answer.json
}

export interface MailboxMessage {
  id: string
  to: string
  subject: string
  text: string
}

/** The newest captured email to `to` in the instance's local mailbox whose subject matches; waits for its delivery. */
export async function mailTo(base: string, token: string, slug: string, to: string, subject: RegExp): Promise<MailboxMessage> {
  let found: MailboxMessage | undefined
  await expect
    .poll(
      async () => {
        const box = await call(base, 'GET', `/api/v1/instances/${slug}/mailbox`, undefined, { authorization: `Bearer ${token}` })
        found = (box.json.items as MailboxMessage[]).find((m) => m.to === to && subject.test(m.subject))
        return found !== undefined
      },
      { message: `an email to ${to} with a subject like ${subject}`, timeout: 15_000 },
    )
    .toBe(true)
  return found as MailboxMessage
}

/** The link to an end user's account page (`/account/...?instance=…&token=…`) in an email's text. */
export function accountLinkIn(text: string): string {
  const link = text.match(/https?:\/\/\S+\/account\/[a-z-]+\?instance=[^&\s]+&token=[A-Za-z0-9_-]+/)?.[0]
  if (!link) throw new Error(`no account link in: ${text}`)
  return link
}
