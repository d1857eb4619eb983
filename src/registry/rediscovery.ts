// An upstream's list_changed, acted on: the plugin is rediscovered and refreshed by the rules of
// `plugin refresh`, so an approved tool, prompt or resource whose definition changed is quarantined
// before its next use.
// One rediscovery per plugin at a time; changes that arrive during one fold into a single next one.
import type { Actor } from "../../events/index.ts"
import { promptKey, resourceKey, toolId, type WorkspaceState } from "../../projections/state.ts"
import type { Discovery } from "./commands.ts"

/** Who records a refresh that an upstream's list_changed set off. */
export const LIST_CHANGED: Actor = { type: "system", id: "list_changed" }

/**
 * Whether discovery found exactly the tools, prompts and resources, by name and definition hash, that
 * the workspace already has pinned.
 */
export const sameDiscovery = (state: WorkspaceState, plugin: string, discovery: Discovery): boolean => {
  const pinned = (entries: Readonly<Record<string, { readonly plugin: string; readonly hash: string }>>) =>
    Object.entries(entries).flatMap(([key, e]) => (e.plugin === plugin ? [`${key} ${e.hash}`] : [])).sort().join("\n")
  // A definition without a hash (a discovery from before prompts and resources were pinned) pins nothing.
  const listed = (found: ReadonlyArray<readonly [string, string | undefined]>) =>
    found.flatMap(([key, hash]) => (hash === undefined ? [] : [`${key} ${hash}`])).sort().join("\n")
  return (
    pinned(state.tools) === listed(discovery.tools.map((t) => [toolId(plugin, t.name), t.hash])) &&
    pinned(state.prompts) === listed((discovery.prompts ?? []).map((p) => [promptKey(plugin, p.name), p.hash])) &&
    pinned(state.resources) === listed((discovery.resources ?? []).map((r) => [resourceKey(plugin, r.uri), r.hash]))
  )
}

export class Rediscovery {
  readonly #refresh: (plugin: string) => Promise<void>
  readonly #running = new Map<string, Promise<void>>()
  readonly #again = new Set<string>()

  /** `refresh` rediscovers one plugin and records what changed; it is never run twice at once for a plugin. */
  constructor(refresh: (plugin: string) => Promise<void>) {
    this.#refresh = refresh
  }

  /** The plugin's upstream said a list changed. */
  changed(plugin: string): void {
    if (this.#running.has(plugin)) {
      this.#again.add(plugin)
      return
    }
    const run = this.#refresh(plugin)
      .catch((error) => console.warn(`[berth] rediscovering plugin '${plugin}' after list_changed:`, error instanceof Error ? error.message : error))
      .finally(() => {
        this.#running.delete(plugin)
        if (this.#again.delete(plugin)) this.changed(plugin)
      })
    this.#running.set(plugin, run)
  }

  /** Resolves when no rediscovery is running (tests, and an object about to answer for its state). */
  async settled(): Promise<void> {
    while (this.#running.size > 0) await Promise.all(this.#running.values())
  }
}
