// Tables fitted to the terminal's width, k9s-style: columns as wide as their widest cell; when
// too wide, long columns are cut (with …) down to a floor, and optional ones dropped if even the
// floors do not fit.

export interface Column {
  readonly header: string
  /** Dropped when the table does not fit, highest first (absent: always shown). */
  readonly drop?: number
  /** Cut to no narrower than this when the table does not fit (absent: never cut). */
  readonly min?: number
  /** Columns with a lower value are cut to their floor before the others (default 1). */
  readonly cut?: number
}

export const clip = (s: string, width: number): string =>
  s.length > width ? `${s.slice(0, Math.max(0, width - 1))}…` : s

/** The header line and one line per row, none wider than `width` when the floors allow it. */
export function grid(
  columns: readonly Column[],
  rows: readonly (readonly string[])[],
  width: number,
): { header: string; lines: string[] } {
  let shown = columns.map((_, i) => i)
  const natural = columns.map((c, i) =>
    Math.max(c.header.length, ...rows.map((r) => (r[i] ?? '').length)),
  )
  const total = (w: readonly number[]) =>
    shown.reduce((s, i) => s + (w[i] ?? 0), 0) + 2 * (shown.length - 1)
  const droppable = () =>
    shown
      .filter((i) => columns[i]?.drop !== undefined)
      .sort((a, b) => (columns[b]?.drop ?? 0) - (columns[a]?.drop ?? 0))
  // Drop optional columns while even their floors are too wide; then cut the rest to fit.
  const floors = natural.map((w, i) => Math.min(w, columns[i]?.min ?? w))
  while (total(floors) > width && droppable().length > 0) {
    const gone = droppable()[0]
    shown = shown.filter((i) => i !== gone)
  }
  const widths = [...natural]
  // The widest column of the first cut order above its floor loses one, until it fits.
  const order = (i: number) => columns[i]?.cut ?? 1
  for (let guard = total(widths); total(widths) > width && guard > 0; guard--) {
    const above = shown.filter((i) => (widths[i] ?? 0) > (floors[i] ?? 0))
    if (above.length === 0) break
    const first = Math.min(...above.map(order))
    const cuttable = above.filter((i) => order(i) === first)
    const widest = cuttable.reduce((a, b) => ((widths[b] ?? 0) > (widths[a] ?? 0) ? b : a))
    widths[widest] = (widths[widest] ?? 0) - 1
  }
  const line = (cells: readonly string[]) =>
    shown
      .map((i, k) => {
        const cell = clip(cells[i] ?? '', widths[i] ?? 0)
        return k === shown.length - 1 ? cell : cell.padEnd((widths[i] ?? 0) + 2)
      })
      .join('')
      .trimEnd()
  return { header: line(columns.map((c) => c.header)), lines: rows.map(line) }
}
