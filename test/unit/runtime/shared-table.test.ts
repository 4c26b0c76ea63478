// The fabric's shared hash table: it agrees with a Map through collisions and deletions, keeps a
// newer owner's entry, refuses new keys when full, and a write in one thread is read in another.

import { Worker } from 'node:worker_threads'
import { expect, test } from 'vitest'
import { seededRandom } from '../../../src/proxy/index.ts'
import { SharedTable } from '../../../src/runtime/shared-table.ts'

test('agrees with a Map over thousands of random sets and deletes on a crowded table', () => {
  const table = SharedTable.create(40)
  const model = new Map<string, number>()
  const random = seededRandom(7)
  const key = () => [Math.floor(random() * 8) - 4, 1 + Math.floor(random() * 8)] as const
  for (let i = 0; i < 5000; i++) {
    const [a, b] = key()
    const k = `${a},${b}`
    if (random() < 0.55 && (model.size < 40 || model.has(k))) {
      const v = Math.floor(random() * 1000)
      table.set(a, b, v)
      model.set(k, v)
    } else if (model.has(k)) {
      expect(table.deleteIf(a, b, model.get(k) ?? -1)).toBe(true)
      model.delete(k)
    }
    // Every key, present or not, reads as the model says (runs survive backward shifts).
    for (let x = -4; x < 4; x++) {
      for (let y = 1; y <= 8; y++) expect(table.get(x, y)).toBe(model.get(`${x},${y}`))
    }
  }
  expect(table.size).toBe(model.size)
})

test('deleteIf leaves an entry whose value a newer owner replaced', () => {
  const table = SharedTable.create(4)
  table.set(10, 5001, 1)
  table.set(10, 5001, 2)
  expect(table.deleteIf(10, 5001, 1)).toBe(false)
  expect(table.get(10, 5001)).toBe(2)
  expect(table.deleteIf(10, 5001, 2)).toBe(true)
  expect(table.get(10, 5001)).toBeUndefined()
})

test('a full table refuses a new key but still updates the keys it holds', () => {
  const table = SharedTable.create(8)
  let n = 0
  expect(() => {
    for (; n < 100; n++) table.set(n, 1, n)
  }).toThrow(/full/)
  expect(n).toBeGreaterThanOrEqual(8)
  table.set(0, 1, 42)
  expect(table.get(0, 1)).toBe(42)
})

test('a key b of 0 is refused, since 0 marks empty slots', () => {
  expect(() => SharedTable.create(4).set(1, 0, 1)).toThrow(RangeError)
})

test('what another thread writes is read here as soon as it says so', async () => {
  const table = SharedTable.create(128)
  const module = new URL('../../../src/runtime/shared-table.ts', import.meta.url).href
  const worker = new Worker(
    `const { workerData, parentPort } = require('node:worker_threads')
     import(${JSON.stringify(module)}).then(({ SharedTable }) => {
       const t = new SharedTable(workerData)
       for (let i = 0; i < 100; i++) t.set(i, 7, i * 2)
       parentPort.postMessage('written')
     })`,
    { eval: true, workerData: table.buffer },
  )
  const said = await new Promise((resolve, reject) => {
    worker.once('message', resolve)
    worker.once('error', reject)
  })
  await worker.terminate()
  expect(said).toBe('written')
  for (let i = 0; i < 100; i++) expect(table.get(i, 7)).toBe(i * 2)
})
