// One 2025 session's SSE history, kept so a client that lost a stream can resume it with Last-Event-ID
// (SEP-1699, server-sse-polling). Both SDKs' session transports take it as their `eventStore`.

/** Event ids are `<stream>#<sequence>`: the stream is read back from the id, the sequence orders replay. */
export class SessionEventLog<Message> {
  private readonly events: Array<{ readonly id: string; readonly stream: string; readonly message: Message }> = []

  async storeEvent(stream: string, message: Message): Promise<string> {
    const id = `${stream}#${this.events.length}`
    this.events.push({ id, stream, message })
    return id
  }

  async getStreamIdForEventId(id: string): Promise<string | undefined> {
    return this.events.find((event) => event.id === id)?.stream
  }

  /** Sends every later event of the stream `lastId` belongs to, in order; answers that stream. */
  async replayEventsAfter(lastId: string, { send }: { send: (id: string, message: Message) => Promise<void> }): Promise<string> {
    const at = this.events.findIndex((event) => event.id === lastId)
    if (at === -1) throw new Error(`no event ${lastId} in this session`)
    const { stream } = this.events[at]!
    for (const event of this.events.slice(at + 1)) {
      // A priming event is stored as `{}`: it exists for its id, and is never sent again.
      if (event.stream === stream && Object.keys(event.message as object).length > 0) await send(event.id, event.message)
    }
    return stream
  }
}
