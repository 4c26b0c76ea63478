// Maps a path inside the parsed document (['spec', 'clusters', 1, 'network']) back to the YAML
// source position, so every problem can be reported as FILE:LINE:COL.

import { type Document, isMap, isScalar, isSeq, type LineCounter, type Node, type Pair } from 'yaml'

export type PathSegment = string | number
export interface Position {
  readonly line: number
  readonly col: number
}

function pairFor(node: unknown, key: PathSegment): Pair<unknown, unknown> | undefined {
  if (!isMap(node)) return undefined
  return node.items.find((p) => (isScalar(p.key) ? String(p.key.value) : p.key) === String(key))
}

function child(node: unknown, key: PathSegment): unknown {
  if (isSeq(node) && typeof key === 'number') return node.items[key]
  return pairFor(node, key)?.value
}

function start(node: unknown): number | undefined {
  return (node as Node | null)?.range?.[0]
}

/**
 * The position of the value at `path`, or of its key when `at` is 'key'. When the path leads
 * nowhere (a missing field), the position of the deepest node that exists.
 */
export function locate(
  doc: Document,
  lines: LineCounter,
  path: readonly PathSegment[],
  at: 'value' | 'key' = 'value',
): Position {
  let node: unknown = doc.contents
  let offset = start(node) ?? 0
  for (const [i, seg] of path.entries()) {
    const last = i === path.length - 1
    if (last && at === 'key') {
      const pair = pairFor(node, seg)
      offset = start(pair?.key) ?? offset
      break
    }
    const next = child(node, seg)
    if (next === undefined || next === null) {
      // A key with an empty value: point at the key.
      const keyStart = start(pairFor(node, seg)?.key)
      if (keyStart !== undefined) offset = keyStart
      break
    }
    node = next
    offset = start(node) ?? offset
  }
  const { line, col } = lines.linePos(offset)
  return { line, col }
}

/** Renders a path as people write it: `spec.clusters[1].network`. */
export function formatPath(path: readonly PathSegment[]): string {
  let out = ''
  for (const seg of path) {
    if (typeof seg === 'number') out += `[${seg}]`
    else out += out ? `.${seg}` : seg
  }
  return out
}
