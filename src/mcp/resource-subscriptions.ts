// Resource subscriptions of 2025-era agents' sessions (`resources/subscribe`), and the one upstream
// subscription each (plugin, URI) needs however many sessions watch it: opened with the first
// watcher, released with the last, and released for every URI a closing session watched.

/** Ends an upstream subscription. */
export type Release = () => Promise<void>

interface Watched {
  /** Session id → the URI as that session's endpoint names it (namespaced at /w/{ws}/mcp). */
  readonly watchers: Map<string, string>
  readonly release: Promise<Release>
}

const keyOf = (plugin: string, uri: string) => `${plugin}\u0000${uri}`

export class ResourceSubscriptions {
  readonly #watched = new Map<string, Watched>()

  /**
   * `session` watches the plugin's `uri` (named `agentUri` at its endpoint). `open` subscribes
   * upstream, for the first watcher only; its failure fails this subscribe, and the next one tries again.
   */
  async add(session: string, plugin: string, uri: string, agentUri: string, open: () => Promise<Release>): Promise<void> {
    const key = keyOf(plugin, uri)
    let watched = this.#watched.get(key)
    if (!watched) {
      const release = open()
      watched = { watchers: new Map(), release }
      this.#watched.set(key, watched)
      const opened = watched
      release.catch(() => {
        if (this.#watched.get(key) === opened) this.#watched.delete(key)
      })
    }
    await watched.release
    watched.watchers.set(session, agentUri)
  }

  /** `session` stops watching; the upstream subscription ends with its last watcher. */
  async remove(session: string, plugin: string, uri: string): Promise<void> {
    const key = keyOf(plugin, uri)
    const watched = this.#watched.get(key)
    if (!watched?.watchers.delete(session) || watched.watchers.size > 0) return
    this.#watched.delete(key)
    await (await watched.release)().catch(() => undefined)
  }

  /** A session closed: everything it watched. */
  async removeSession(session: string): Promise<void> {
    const keys = [...this.#watched].filter(([, w]) => w.watchers.has(session)).map(([key]) => key)
    await Promise.all(keys.map((key) => {
      const [plugin, uri] = key.split("\u0000") as [string, string]
      return this.remove(session, plugin, uri)
    }))
  }

  /** Who to tell that the plugin's `uri` changed: each watching session, with the URI as it named it. */
  watchers(plugin: string, uri: string): ReadonlyArray<readonly [session: string, agentUri: string]> {
    return [...(this.#watched.get(keyOf(plugin, uri))?.watchers ?? [])]
  }
}
