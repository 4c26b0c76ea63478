// A fixed-size hash table from (int, int) keys to int values in shared memory, so that every
// thread of a mesh sees one fabric: a listener bound in one proxy thread is dialable from all
// others the moment its binding is written. A spin lock guards each operation (a few probes).

const LOCK = 0
const SIZE = 1
const HEADER = 2
/** Ints per slot: key a, key b (0 marks an empty slot), value. */
const SLOT = 3

export class SharedTable {
  readonly buffer: SharedArrayBuffer
  readonly #cells: Int32Array
  readonly #mask: number

  /** A new table holding up to `capacity` entries (rounded up to a power of two, kept half empty). */
  static create(capacity: number): SharedTable {
    let slots = 16
    while (slots < capacity * 2) slots *= 2
    return new SharedTable(new SharedArrayBuffer((HEADER + slots * SLOT) * 4))
  }

  /** A view of a table made by `create` (in this thread or another). */
  constructor(buffer: SharedArrayBuffer) {
    this.buffer = buffer
    this.#cells = new Int32Array(buffer)
    this.#mask = (this.#cells.length - HEADER) / SLOT - 1
  }

  get size(): number {
    return Atomics.load(this.#cells, SIZE)
  }

  get(a: number, b: number): number | undefined {
    return this.#locked(() => {
      const i = this.#find(a, b)
      return i < 0 ? undefined : this.#cells[i + 2]
    })
  }

  /** Sets a value; throws when the table is full (a mesh far beyond its sizing). */
  set(a: number, b: number, value: number): void {
    checkKey(b)
    this.#locked(() => {
      const c = this.#cells
      const found = this.#find(a, b)
      if (found >= 0) {
        c[found + 2] = value
        return
      }
      if (c[SIZE] === this.#mask) throw new Error('fabric table is full')
      let s = this.#home(a, b)
      while (c[HEADER + s * SLOT + 1] !== 0) s = (s + 1) & this.#mask
      const i = HEADER + s * SLOT
      c[i] = a
      c[i + 1] = b
      c[i + 2] = value
      c[SIZE] = (c[SIZE] ?? 0) + 1
    })
  }

  /** Removes the entry if its value is still `value` (a newer owner keeps it). */
  deleteIf(a: number, b: number, value: number): boolean {
    return this.#locked(() => {
      const i = this.#find(a, b)
      if (i < 0 || this.#cells[i + 2] !== value) return false
      this.#remove((i - HEADER) / SLOT)
      return true
    })
  }

  #home(a: number, b: number): number {
    return (Math.imul(a, 0x9e3779b1) ^ Math.imul(b, 0x85ebca6b)) & this.#mask
  }

  /** Index of the entry's first cell, or -1. */
  #find(a: number, b: number): number {
    const c = this.#cells
    for (let s = this.#home(a, b), n = 0; n <= this.#mask; s = (s + 1) & this.#mask, n++) {
      const i = HEADER + s * SLOT
      if (c[i + 1] === 0) return -1
      if (c[i] === a && c[i + 1] === b) return i
    }
    return -1
  }

  /** Linear probing's backward-shift delete: later entries of the run move up, no tombstones. */
  #remove(slot: number): void {
    const c = this.#cells
    let hole = slot
    for (let s = (hole + 1) & this.#mask; ; s = (s + 1) & this.#mask) {
      const i = HEADER + s * SLOT
      if (c[i + 1] === 0) break
      const home = this.#home(c[i] ?? 0, c[i + 1] ?? 0)
      // The entry at s may fill the hole only if its home is not cyclically in (hole, s].
      const stays = hole <= s ? hole < home && home <= s : hole < home || home <= s
      if (stays) continue
      const h = HEADER + hole * SLOT
      c[h] = c[i] ?? 0
      c[h + 1] = c[i + 1] ?? 0
      c[h + 2] = c[i + 2] ?? 0
      hole = s
    }
    const h = HEADER + hole * SLOT
    c[h] = 0
    c[h + 1] = 0
    c[h + 2] = 0
    c[SIZE] = (c[SIZE] ?? 0) - 1
  }

  #locked<T>(run: () => T): T {
    const c = this.#cells
    for (let spins = 0; Atomics.compareExchange(c, LOCK, 0, 1) !== 0; spins++) {
      // Another thread holds it for a few probes; past a short spin, sleep until it lets go.
      if (spins > 100) Atomics.wait(c, LOCK, 1, 1)
    }
    try {
      return run()
    } finally {
      Atomics.store(c, LOCK, 0)
      Atomics.notify(c, LOCK, 1)
    }
  }
}

function checkKey(b: number): void {
  if (b === 0) throw new RangeError('key b must not be 0 (it marks empty slots)')
}
