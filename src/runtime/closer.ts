// LIFO teardown: whatever opens a handle registers how to close it; close() runs them in
// reverse order, once, and never stops at a failing step.

export class Closer {
  readonly #steps: (() => unknown)[] = []
  #closing: Promise<void> | undefined

  defer(step: () => unknown): void {
    this.#steps.push(step)
  }

  close(): Promise<void> {
    this.#closing ??= (async () => {
      for (const step of this.#steps.splice(0).reverse()) {
        try {
          await step()
        } catch {
          // Keep tearing down the rest.
        }
      }
    })()
    return this.#closing
  }
}
