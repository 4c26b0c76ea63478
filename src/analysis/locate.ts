// Where resources and their fields were written, read again from the YAML text with positions,
// so a message can point at the field at fault as istioctl does (`file.yaml:24`).

import {
  type Document,
  isMap,
  isScalar,
  isSeq,
  LineCounter,
  type Node,
  parseAllDocuments,
} from 'yaml'
import type { Origin, Position } from './types.ts'

export type PathSegment = string | number

const formatPath = (path: readonly PathSegment[]): string =>
  path.reduce<string>(
    (out, seg) => (typeof seg === 'number' ? `${out}[${seg}]` : out ? `${out}.${seg}` : seg),
    '',
  )

const keyOf = (k: unknown): string => (isScalar(k) ? String(k.value) : String(k))

function child(node: unknown, seg: PathSegment): unknown {
  if (isSeq(node) && typeof seg === 'number') return node.items[seg]
  if (isMap(node)) return node.items.find((p) => keyOf(p.key) === String(seg))?.value
  return undefined
}

export class YamlSource {
  readonly #file: string
  readonly #lines = new LineCounter()
  readonly #docs: Document[]

  constructor(text: string, file: string) {
    this.#file = file
    const docs = parseAllDocuments(text, { lineCounter: this.#lines })
    this.#docs = Array.isArray(docs) ? docs : []
  }

  #pos(node: unknown): Position | undefined {
    const offset = (node as Node | null)?.range?.[0]
    return offset === undefined ? undefined : this.#lines.linePos(offset)
  }

  /** Positions of every field under `node`, keyed by their path from it. */
  #fields(node: unknown, path: PathSegment[], out: Record<string, Position>): void {
    const items: [PathSegment, unknown, unknown][] = isMap(node)
      ? node.items.map((p) => [keyOf(p.key), p.value, p.key])
      : isSeq(node)
        ? node.items.map((v, i) => [i, v, v])
        : []
    for (const [seg, value, key] of items) {
      const at = [...path, seg]
      // A key with no value is found at the key.
      const pos = this.#pos(value) ?? this.#pos(key)
      if (pos) out[formatPath(at)] = pos
      this.#fields(value, at, out)
    }
  }

  #origin(node: unknown): Origin | undefined {
    const pos = this.#pos(node)
    if (!pos) return undefined
    const fields: Record<string, Position> = {}
    this.#fields(node, [], fields)
    return { file: this.#file, ...pos, fields }
  }

  /** The object at `path` in the first document of kind `kind` (or with no kind). */
  originIn(kind: string, path: readonly PathSegment[]): Origin | undefined {
    const doc = this.#docs.find((d) => {
      const k = isMap(d.contents) ? d.get('kind') : undefined
      return k === kind || k === undefined
    })
    let node: unknown = doc?.contents
    for (const seg of path) node = child(node, seg)
    return node ? this.#origin(node) : undefined
  }

  /** The object (a document, or an item of a List) whose `kind` value starts at `at`. */
  originOfKindAt(at: Position): Origin | undefined {
    for (const doc of this.#docs) {
      const top = doc.contents
      const items = child(top, 'items')
      const candidates = [top, ...(isSeq(items) ? items.items : [])]
      const found = candidates.find((n) => {
        const p = this.#pos(child(n, 'kind'))
        return p?.line === at.line && p.col === at.col
      })
      if (found) return this.#origin(found)
    }
    return undefined
  }
}
