// Tables as istioctl and kubectl print them (Go's text/tabwriter): every column but the last
// padded to its widest cell plus the padding; no borders, so grep and awk keep working.

export function table(
  header: readonly string[],
  rows: readonly (readonly string[])[],
  padding = 5,
): string {
  const all = [header, ...rows]
  const widths = header.map((_, i) => Math.max(...all.map((r) => (r[i] ?? '').length)))
  const line = (r: readonly string[]) =>
    r
      .map((cell, i) => (i === r.length - 1 ? cell : cell.padEnd((widths[i] ?? 0) + padding)))
      .join('')
      .trimEnd()
  return `${all.map(line).join('\n')}\n`
}
