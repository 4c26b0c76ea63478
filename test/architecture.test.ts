// Module boundaries from the architecture guide, checked on every import line in src/.

import { readdirSync, readFileSync } from 'node:fs'
import { dirname, join, relative, resolve } from 'node:path'
import { expect, test } from 'vitest'

/** Which meshsim modules each module may import (its own files are always allowed). */
const ALLOWED: Record<string, readonly string[]> = {
  model: [],
  config: ['model'],
  ca: ['model'],
  xds: ['model'],
  'control-plane': ['model', 'xds'],
  proxy: ['model', 'xds'],
  sidecar: ['model', 'xds', 'proxy'],
  'sni-gateway': ['model', 'xds', 'proxy'],
  dns: ['model', 'xds'],
  apps: [],
  runtime: [
    'model',
    'config',
    'ca',
    'xds',
    'control-plane',
    'proxy',
    'sidecar',
    'sni-gateway',
    'dns',
    'apps',
  ],
  // Pure readers: Istio's standard metrics from access records, and analyzers of configuration.
  telemetry: ['model', 'proxy'],
  analysis: ['model', 'config'],
  admin: ['model', 'xds', 'runtime', 'telemetry', 'analysis'],
  cli: ['model', 'config', 'ca', 'runtime', 'admin', 'analysis'],
}

function files(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? files(join(dir, e.name)) : /\.tsx?$/.test(e.name) ? [join(dir, e.name)] : [],
  )
}

const imports = files('src').flatMap((file) => {
  const text = readFileSync(file, 'utf8')
  return [...text.matchAll(/(?:from|import)\s*\(?\s*'(\.[^']+)'/g)].map((m) => ({
    file,
    target: relative('src', resolve(dirname(file), m[1] ?? '')),
  }))
})

test('each module imports only the modules the architecture allows', () => {
  const bad = imports.filter(({ file, target }) => {
    const from = relative('src', file).split('/')[0] ?? ''
    const to = target.split('/')[0] ?? ''
    return from !== to && !(ALLOWED[from] ?? []).includes(to)
  })
  expect(bad).toEqual([])
})

test('other modules reach a module only through its index.ts', () => {
  const bad = imports.filter(({ file, target }) => {
    const from = relative('src', file).split('/')[0]
    const [to, ...rest] = target.split('/')
    return from !== to && rest.join('/') !== 'index.ts'
  })
  expect(bad).toEqual([])
})

test('every module declares what it does in its index.ts header', () => {
  const modules = readdirSync('src', { withFileTypes: true }).filter(
    (e) => e.isDirectory() && e.name !== 'cli',
  )
  for (const m of modules) {
    const head = readFileSync(join('src', m.name, 'index.ts'), 'utf8').split('\n')[0] ?? ''
    expect(head, `src/${m.name}/index.ts`).toMatch(/^\/\/ \S/)
  }
})
