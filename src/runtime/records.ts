// The one stream of access records every proxy writes to; the CLI, logs, metrics and the admin
// API subscribe. A bounded ring keeps the latest records for late readers.

import type { AccessRecord } from '../proxy/index.ts'

export type RecordListener = (record: AccessRecord) => void

export class RecordStream {
  readonly #listeners = new Set<RecordListener>()
  readonly #ring: AccessRecord[] = []
  readonly #capacity: number

  constructor(capacity = 1000) {
    this.#capacity = capacity
  }

  readonly publish = (record: AccessRecord): void => {
    this.#ring.push(record)
    if (this.#ring.length > this.#capacity) this.#ring.shift()
    for (const l of this.#listeners) {
      try {
        l(record)
      } catch {
        // A failing subscriber must not break the data plane.
      }
    }
  }

  subscribe(listener: RecordListener): () => void {
    this.#listeners.add(listener)
    return () => this.#listeners.delete(listener)
  }

  recent(): readonly AccessRecord[] {
    return [...this.#ring]
  }
}
