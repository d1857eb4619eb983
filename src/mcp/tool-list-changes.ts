// Which committed events change the tools some agent is shown, and on which plugin's endpoint, so
// agents can be told `notifications/tools/list_changed` (endpoint.ts `listChanged`) instead of
// finding out at their next call.
import type { Envelope } from "../../events/index.ts"
import { splitNamespaced } from "./namespacing.ts"

/** A plugin's tool set changed. */
const PLUGIN_EVENTS = new Set(["PluginInstalled", "PluginRemoved", "ToolsDiscovered"])
/** One tool's approval changed; `data.tool` is `{plugin}__{tool}`. */
const TOOL_EVENTS = new Set(["ToolApproved", "ToolQuarantined"])
/** Which tools policies let an agent see changed, on every plugin at once. */
const WORKSPACE_EVENTS = new Set(["PolicySet", "PolicyRemoved"])

/** The plugins whose endpoints' tool lists changed; `"*"` for every endpoint. */
export const toolListChanges = (events: ReadonlyArray<Pick<Envelope, "type" | "data">>): ReadonlySet<string> => {
  const changed = new Set<string>()
  for (const { type, data } of events) {
    if (WORKSPACE_EVENTS.has(type)) changed.add("*")
    else if (PLUGIN_EVENTS.has(type)) changed.add((data as { plugin: string }).plugin)
    else if (TOOL_EVENTS.has(type)) {
      const plugin = splitNamespaced((data as { tool: string }).tool)?.plugin
      if (plugin !== undefined) changed.add(plugin)
    }
  }
  return changed
}
