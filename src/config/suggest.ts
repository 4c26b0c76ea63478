// "Did you mean ...?" hints for misspelt names and fields.

function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j)
  for (let i = 1; i <= a.length; i++) {
    let diag = row[0] ?? 0
    row[0] = i
    for (let j = 1; j <= b.length; j++) {
      const up = row[j] ?? 0
      const cost = a[i - 1]?.toLowerCase() === b[j - 1]?.toLowerCase() ? 0 : 1
      row[j] = Math.min(up + 1, (row[j - 1] ?? 0) + 1, diag + cost)
      diag = up
    }
  }
  return row[b.length] ?? 0
}

/** The closest candidate within a small edit distance, if any. */
export function closest(name: string, candidates: Iterable<string>): string | undefined {
  let best: string | undefined
  let bestD = Math.max(2, Math.floor(name.length / 3)) + 1
  for (const c of candidates) {
    const d = distance(name, c)
    if (d < bestD) {
      best = c
      bestD = d
    }
  }
  return best
}

/** ` (did you mean "x"?)` or nothing. */
export function didYouMean(name: string, candidates: Iterable<string>): string {
  const c = closest(name, candidates)
  return c === undefined ? '' : `; did you mean "${c}"?`
}
