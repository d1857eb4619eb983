// One Durable Object has one alarm, and several jobs want it: the D1 push, the archive seal and the
// directory retry. Each job says when it is next due; the clock keeps the alarm at the earliest.
export class AlarmClock {
  readonly #storage: DurableObjectStorage
  /** When the alarm is set for (epoch ms), or null when none is set. */
  #at: number | null

  constructor(storage: DurableObjectStorage, at: number | null) {
    this.#storage = storage
    this.#at = at
  }

  /** Brings the alarm forward to the earliest due time, if that is sooner than the one set. */
  schedule(dues: ReadonlyArray<number | null>): void {
    const earliest = Math.min(...dues.filter((d): d is number => d !== null))
    if (!Number.isFinite(earliest)) return
    // A job that is due already (0 or a past time) runs as soon as the alarm can fire.
    const due = Math.max(earliest, Date.now())
    if (this.#at !== null && this.#at <= due) return
    this.#at = due
    // If setting it fails, forget it, so the next schedule tries again rather than trusting an alarm that is not there.
    this.#storage.setAlarm(due).catch(() => {
      if (this.#at === due) this.#at = null
    })
  }

  /** Whether the alarm will fire by `time` anyway: then every job that is due by then runs at it. */
  armedBy(time: number): boolean {
    return this.#at !== null && this.#at <= time
  }

  /** The alarm has fired: none is set until the next `schedule`. */
  fired(): void {
    this.#at = null
  }
}
