// Deep freeze: once validated, a topology cannot be changed by anyone downstream. The types
// (MeshSpec is readonly throughout) say the same thing at compile time.

export function deepFreeze<T>(value: T): T {
  const stack: unknown[] = [value]
  while (stack.length > 0) {
    const v = stack.pop()
    if (v === null || typeof v !== 'object' || Object.isFrozen(v)) continue
    Object.freeze(v)
    for (const child of Object.values(v)) stack.push(child)
  }
  return value
}
