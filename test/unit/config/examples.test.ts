// Every example a user may start from validates: topologies under examples/, and the manifests
// under examples/manifests/ that their comments tell users to apply.

import { readdirSync } from 'node:fs'
import { describe, expect, test } from 'vitest'
import { loadResourceFile, loadTopologyFile } from '../../../src/config/index.ts'

const dir = new URL('../../../examples/', import.meta.url)
const yamlIn = (sub: string) =>
  readdirSync(new URL(sub, dir))
    .filter((f) => f.endsWith('.yaml'))
    .sort()

describe('examples', () => {
  test.each(yamlIn('./'))('%s is a valid topology', (file) => {
    expect(() => loadTopologyFile(new URL(file, dir).pathname)).not.toThrow()
  })

  test.each(yamlIn('manifests/'))('manifests/%s applies without problems or warnings', (file) => {
    const parsed = loadResourceFile(new URL(`manifests/${file}`, dir).pathname)
    expect(parsed.problems).toEqual([])
    expect(parsed.warnings).toEqual([])
    expect(parsed.resources.length).toBeGreaterThan(0)
  })
})
