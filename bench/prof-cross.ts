import { execFile } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { promisify } from 'node:util'
import { parseTopology } from '../src/config/index.ts'
import { startMesh } from '../src/runtime/index.ts'

const run = promisify(execFile)
const file = new URL('../examples/two-networks.yaml', import.meta.url).pathname
let n = 0
const text = readFileSync(file, 'utf8').replace(/replicas: 1/g, (m) =>
  ++n === (process.env.SAME ? 2 : 1) ? 'replicas: 0' : m,
)
const mesh = await startMesh(parseTopology(text, { file, baseDir: '/' }))
const sleep = mesh.pod('cluster1/sample/sleep')
const bin = createRequire(import.meta.url).resolve('autocannon/autocannon.js')
const url = `http://127.0.0.1:${sleep?.sidecar?.capturePort}/hello`
for (const d of ['1', process.env.D ?? '5']) {
  const { stdout } = await run(process.execPath, [
    bin,
    '-j',
    '-c',
    process.env.C ?? '16',
    '-d',
    d,
    '-H',
    'host=helloworld.sample:5000',
    url,
  ])
  {
    const j = JSON.parse(stdout)
    console.log(j.requests.average, j.requests.total)
  }
}
await mesh.close()
