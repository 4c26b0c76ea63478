// The one stream of access records every proxy writes to; the CLI, logs, metrics and the admin
// API subscribe. A bounded ring keeps the latest records for late readers.

import type { AccessRecord } from '../proxy/index.ts'

export type RecordListener = (record: AccessRecord) => void

export class RecordStream {
  readonly #listeners = new Set<RecordListener>()
  readonly #ring: AccessRecord[] = []
  readonly #capacity: number
  /** Slot the next record overwrites once the ring is full. */
  #next = 0

  constructor(capacity = 1000) {
    this.#capacity = capacity
  }

  readonly publish = (record: AccessRecord): void => {
    if (this.#ring.length < this.#capacity) this.#ring.push(record)
    else this.#ring[this.#next] = record
    this.#next = (this.#next + 1) % this.#capacity
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

  /** The latest records, oldest first. */
  recent(): readonly AccessRecord[] {
    return [...this.#ring.slice(this.#next), ...this.#ring.slice(0, this.#next)]
  }
}
