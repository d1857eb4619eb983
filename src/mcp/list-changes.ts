// Which committed events change what some agent is shown, and on which plugin's endpoint, so agents
// can be told `notifications/{tools,prompts,resources}/list_changed` (endpoint.ts `listChanged`)
// instead of finding out at their next request.
import type { Envelope } from "../../events/index.ts"
import { splitNamespaced } from "./namespacing.ts"
import type { UpstreamList } from "./upstream-pool.ts"

/** A plugin's tool set changed. */
const PLUGIN_EVENTS = new Set(["PluginInstalled", "PluginRemoved", "ToolsDiscovered"])
/** One tool's approval changed; `data.tool` is `{plugin}__{tool}`. */
const TOOL_EVENTS = new Set(["ToolApproved", "ToolQuarantined"])
/** One pinned prompt's or resource's approval changed; `data.plugin` names its plugin. */
const READ_EVENTS: ReadonlyMap<string, UpstreamList> = new Map([
  ["PromptApproved", "prompts"],
  ["PromptQuarantined", "prompts"],
  ["ResourceApproved", "resources"],
  ["ResourceQuarantined", "resources"]
])
/** Which tools policies let an agent see changed, on every plugin at once. */
const WORKSPACE_EVENTS = new Set(["PolicySet", "PolicyRemoved"])

/** The lists that changed, each with its plugin; `"*"` for every endpoint. */
export const listChanges = (events: ReadonlyArray<Pick<Envelope, "type" | "data">>): ReadonlyArray<readonly [string, UpstreamList]> => {
  const changed = new Map<string, readonly [string, UpstreamList]>()
  const add = (plugin: string, list: UpstreamList) => changed.set(`${plugin} ${list}`, [plugin, list])
  for (const { type, data } of events) {
    const read = READ_EVENTS.get(type)
    if (WORKSPACE_EVENTS.has(type)) add("*", "tools")
    else if (PLUGIN_EVENTS.has(type)) add((data as { plugin: string }).plugin, "tools")
    else if (read !== undefined) add((data as { plugin: string }).plugin, read)
    else if (TOOL_EVENTS.has(type)) {
      const plugin = splitNamespaced((data as { tool: string }).tool)?.plugin
      if (plugin !== undefined) add(plugin, "tools")
    }
  }
  return [...changed.values()]
}
