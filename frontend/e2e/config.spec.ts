/**
 * Configuration: a developer signs up and creates an instance, opens Configuration, raises the
 * password's minimum length from its default 8 to 12 (checked first, then saved with the entry's
 * version), finds the change in the history with its before → after, restores the configuration
 * as it was before any change, and sees the default in force again. A backup is made, the
 * export downloads a JSON document, and an edited copy of it is refused (a value beyond the
 * schema) or previewed and imported.
 */
import { readFile } from 'node:fs/promises'
import { expectAccessible } from './support/axe.ts'
import { signUpWithInstance } from './support/signup.ts'
import { expect, test, type Page } from './support/test.ts'

const shots = process.env.E2E_SHOTS ?? 'test-results'

async function shot(page: Page, name: string) {
  await page.screenshot({ path: `${shots}/${name}.png` })
}

test('configuration: change an entry, restore it from the history, back up, export and import', async ({ page }) => {
  const stamp = Date.now().toString(36)
  const slug = `conf-${stamp}`
  await signUpWithInstance(page, { name: 'Cora Config', email: `cora-${stamp}@example.com`, instanceName: 'Config test', slug })

  await page.getByRole('navigation', { name: 'Console' }).getByRole('link', { name: 'Configuration' }).click()
  await expect(page).toHaveURL(new RegExp(`/i/${slug}/config$`))
  await expect(page.getByRole('heading', { level: 1, name: 'Configuration' })).toBeVisible()
  await expect(page).toHaveTitle('Entries · Configuration · Config test · Steward')

  // The built-in entries, grouped; the password's minimum length is at its default.
  const passwords = page.getByRole('table', { name: 'Passwords' })
  const row = passwords.getByRole('row', { name: /password\.min_length/ })
  await expect(row.getByTestId('entry-value')).toHaveText('8')
  await expect(row.getByText('Default', { exact: true })).toBeVisible()
  await expect(page.getByRole('table', { name: 'Tokens' })).toContainText('tokens.access_ttl_secs')
  // The pointer off the navigation link just clicked (its hover tint is the frame's, checked elsewhere).
  await page.mouse.move(700, 5)
  await expectAccessible(page, 'the configuration entries')

  // Edit: check, then save.
  await row.getByRole('button', { name: 'Edit password.min_length' }).click()
  const drawer = page.getByRole('dialog', { name: 'Edit password.min_length' })
  const value = drawer.getByRole('textbox', { name: 'Value' })
  await expect(value).toHaveValue('8')
  await value.fill('12')
  await drawer.getByRole('button', { name: 'Check' }).click()
  await expect(drawer.getByRole('status')).toContainText('Valid')
  await shot(page, 'config-10-edit-checked')
  await expectAccessible(page, 'the entry drawer')
  await drawer.getByRole('button', { name: 'Save' }).click()
  await expect(page.getByText('password.min_length saved: 12')).toBeVisible()
  await expect(drawer).toBeHidden()
  await expect(row.getByTestId('entry-value')).toHaveText('12')
  await expect(row.getByText('Default', { exact: true })).toHaveCount(0)
  await expect(row).toContainText(`by cora-${stamp}@example.com`)

  // History: the change, its before → after, and a restore of the state before any change.
  await page.getByRole('tab', { name: 'History' }).click()
  await expect(page).toHaveTitle('History · Configuration · Config test · Steward')
  const changes = page.getByRole('table', { name: 'Changes' })
  const change = changes.getByRole('row').filter({ hasText: 'password.min_length' }).first()
  await expect(change).toContainText('Set')
  await change.getByRole('button', { name: /^Show the change to password\.min_length in revision \d+$/ }).click()
  const diff = page.getByRole('table', { name: /^Change to password\.min_length in revision \d+$/ })
  await expect(diff.getByRole('row', { name: /Value/ })).toContainText('12')
  await expect(diff.getByRole('row', { name: /Value/ })).toContainText('not set (default)')
  await shot(page, 'config-20-history')
  await expectAccessible(page, 'the configuration history')

  await changes.getByRole('button', { name: 'Restore everything as of revision 0' }).click()
  await page.getByRole('menuitem', { name: 'Restore all to this revision' }).click()
  const confirm = page.getByRole('dialog', { name: 'Restore all to revision 0' })
  await confirm.getByRole('button', { name: 'Restore' }).click()
  await expect(page.getByText(/^The initial configuration restored \(\d+ changes?\)\.$/)).toBeVisible()
  await expect(confirm).toBeHidden()
  await expect(changes.getByRole('row').nth(1)).toContainText('Restored')

  // The default is in force again.
  await page.getByRole('tab', { name: 'Entries' }).click()
  await expect(row.getByTestId('entry-value')).toHaveText('8')
  await expect(row.getByText('Default', { exact: true })).toBeVisible()

  // A backup.
  await page.getByRole('tab', { name: 'Backups' }).click()
  await page.getByRole('textbox', { name: 'Backup name' }).fill('Before launch')
  await page.getByRole('button', { name: 'Back up now' }).click()
  await expect(page.getByRole('table', { name: 'Backups' })).toContainText('Before launch')

  // Export: a JSON document named after the instance.
  await page.getByRole('tab', { name: 'Import & export' }).click()
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export' }).click()])
  expect(download.suggestedFilename()).toBe(`${slug}-configuration.json`)
  const document = JSON.parse(await readFile(await download.path(), 'utf8')) as { format: string; instance?: string; values: Record<string, unknown> }
  expect(document.format).toBe('steward.configuration/v1')
  expect(document.instance).toBe(slug)
  expect(document.values).not.toHaveProperty('password.min_length')

  // Import: a value beyond the schema is refused with the entry named; a good one is previewed, then applied.
  const fileInput = page.getByLabel('Configuration file (JSON)')
  const asFile = (values: Record<string, unknown>) => ({
    name: `${slug}-configuration.json`,
    mimeType: 'application/json',
    buffer: Buffer.from(JSON.stringify({ ...document, values })),
  })
  await fileInput.setInputFiles(asFile({ 'password.min_length': 500 }))
  await expect(page.getByRole('list', { name: 'Problems in the file' })).toContainText('entries.password.min_length.value')
  await fileInput.setInputFiles(asFile({ 'password.min_length': 10 }))
  const preview = page.getByRole('region', { name: 'Import preview' })
  await expect(preview.getByRole('list', { name: 'Changes to apply' })).toContainText('password.min_length')
  await expectAccessible(page, 'the import preview')
  await preview.getByRole('button', { name: 'Apply 1 change' }).click()
  await expect(page.getByText('Configuration imported: 1 change applied')).toBeVisible()
  await page.getByRole('tab', { name: 'Entries' }).click()
  await expect(row.getByTestId('entry-value')).toHaveText('10')
  await shot(page, 'config-30-import-export')
})
