/** The first steps of most journeys: a developer signs up in the console and creates an instance. */
import { expect, type Page } from '@playwright/test'

export interface NewDeveloper {
  name: string
  email: string
  password?: string
  instanceName: string
  slug: string
}

/** Signs up through the form and creates the first instance; ends on the instance's overview. */
export async function signUpWithInstance(page: Page, dev: NewDeveloper): Promise<void> {
  await page.goto('/signup')
  await page.getByLabel('Name').fill(dev.name)
  await page.getByLabel('Email').fill(dev.email)
  await page.getByRole('textbox', { name: 'Password', exact: true }).fill(dev.password ?? 'correct horse battery')
  await page.getByRole('button', { name: 'Sign up' }).click()
  await expect(page.getByRole('heading', { name: 'Create your first instance' })).toBeVisible()
  await page.getByLabel('Name').fill(dev.instanceName)
  await page.getByLabel('Slug').fill(dev.slug)
  await page.getByRole('button', { name: 'Create instance' }).click()
  await expect(page).toHaveURL(new RegExp(`/i/${dev.slug}$`))
}

/** A console access token of its own (a separate sign-in: the page's session is left alone). */
export async function consoleToken(baseURL: string, email: string, password: string): Promise<string> {
  const response = await fetch(`${baseURL}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ email, password }),
  })
  expect(response.status).toBe(200)
  return ((await response.json()) as { access_token: string }).access_token
}

/**
 * The same developer and instance through the API (for tests whose subject comes later): returns
 * the developer's access token. Pair with `signIn` for a signed-in page.
 */
export async function developerWithInstance(baseURL: string, dev: NewDeveloper): Promise<string> {
  const signup = await fetch(`${baseURL}/api/v1/auth/signup`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ email: dev.email, password: dev.password ?? 'correct horse battery', name: dev.name }),
  })
  expect(signup.status).toBe(201)
  const token = ((await signup.json()) as { access_token: string }).access_token
  const instance = await fetch(`${baseURL}/api/v1/instances`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${token}` },
    body: JSON.stringify({ slug: dev.slug, name: dev.instanceName, time_zone: 'UTC' }),
  })
  expect(instance.status).toBe(201)
  return token
}

/**
 * Signs the page's browser in (the session cookie, as the login form gets it: the console asks
 * for it with `X-Steward-Session: cookie`); the next page it opens restores the session.
 */
export async function signIn(page: Page, email: string, password = 'correct horse battery'): Promise<void> {
  const response = await page.request.post('/api/v1/auth/login', { data: { email, password }, headers: { 'X-Steward-Session': 'cookie' } })
  expect(response.status()).toBe(200)
}
