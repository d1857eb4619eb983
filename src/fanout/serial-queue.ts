// Runs async work one piece at a time, in the order it was queued: a push or a seal awaits D1 or
// R2, and the object may take another request meanwhile, which must not start a second one.
export class SerialQueue {
  #tail: Promise<unknown> = Promise.resolve()

  run<T>(work: () => Promise<T>): Promise<T> {
    const next = this.#tail.then(work, work)
    this.#tail = next.catch(() => undefined)
    return next
  }
}
