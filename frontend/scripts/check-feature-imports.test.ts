import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { check, findImports } from './check-feature-imports.mjs'

const specifiers = (source: string) => findImports(source).map((i) => `${i.line}:${i.specifier}`)

describe('findImports', () => {
  it('finds every form of import with its line', () => {
    const source = [
      "import a, {",
      "  b } from '../../lib/a'",
      'import type { T } from "./t"',
      "export * from './model'",
      "import './styles.css'",
      "const Page = lazy(() => import('../users/UsersPage'))",
      "type X = typeof import('./x')",
      "vi.mock('../emails/api', () => ({}))",
      "const old = require('./old')",
    ].join('\n')
    expect(specifiers(source)).toEqual([
      '2:../../lib/a',
      '3:./t',
      '4:./model',
      '5:./styles.css',
      '6:../users/UsersPage',
      '7:./x',
      '8:../emails/api',
      '9:./old',
    ])
  })

  it('ignores comments, strings, template literals, regular expressions and JSX text', () => {
    const source = [
      "// import x from '../instances/api'",
      "/* import y from '../instances/api' */",
      "const snippet = `import { Steward } from '@steward/sdk'",
      "${'x'} ${`nested ${ { a: 1 }.a } import q from '../q'`}",
      "import r from '../r'`",
      "const re = /['\"]from '/g",
      `const s = "text from '../quoted' here"`,
      "const d = 4 / 2 / 1",
      `const C = () => <p>Don't go <b>it's "fine"</b>{/* from '../c' */}</p>`,
      "import { ok } from './ok'",
    ].join('\n')
    expect(specifiers(source)).toEqual(['10:./ok'])
  })
})

describe('check', () => {
  let root = ''
  const write = (path: string, text: string) => {
    mkdirSync(dirname(join(root, path)), { recursive: true })
    writeFileSync(join(root, path), text)
  }
  afterEach(() => rmSync(root, { recursive: true, force: true }))

  it('allows the own area, shared folders and packages, and names each other import', () => {
    root = mkdtempSync(join(tmpdir(), 'feature-imports-'))
    write(
      'src/features/users/UsersPage.tsx',
      [
        "import { Button } from '@mantine/core'",
        "import { useUsers } from './api'",
        "import { unwrap } from '../../api/client'",
        "import { ErrorAlert } from '../../components/ErrorAlert'",
        "import { formatDateTime } from '../../lib/datetime'",
        "import { renderPage } from '../../test/render'",
        "import { can } from '../instances/roles'",
        "import { useInstance } from '../../features/instances/api'",
        "import type { Role } from '@/features/emails/model'",
        "import { theme } from '../../app/config'",
        "import { other } from 'src/features/general/model'",
      ].join('\n'),
    )
    write('src/features/users/sub/Deep.tsx', "import { a } from '../model'\nimport { b } from '../../general/model'\n")
    write('src/app/routes.tsx', "import { UsersPage } from '../features/users/UsersPage'\n")

    const { problems, files } = check(root)

    expect(files).toBe(2)
    expect(problems.map((p) => `${p.file}:${p.line}:${p.column} ${p.specifier} (${p.why})`)).toEqual([
      'src/features/users/UsersPage.tsx:7:21 ../instances/roles (it imports another feature (src/features/instances))',
      'src/features/users/UsersPage.tsx:8:29 ../../features/instances/api (it imports another feature (src/features/instances))',
      'src/features/users/UsersPage.tsx:9:27 @/features/emails/model (it imports another feature (src/features/emails))',
      'src/features/users/UsersPage.tsx:10:23 ../../app/config (src/app is not a shared folder)',
      'src/features/users/UsersPage.tsx:11:23 src/features/general/model (it imports another feature (src/features/general))',
      'src/features/users/sub/Deep.tsx:2:19 ../../general/model (it imports another feature (src/features/general))',
    ])
  })
})
