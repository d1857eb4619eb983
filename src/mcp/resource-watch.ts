// An agent's subscription to one of a plugin's resources, in either era: a 2025 session's
// `resources/subscribe`, or a URI in a 2026-07-28 `subscriptions/listen` filter. Both are checked the
// same way (a plugin resource the agent may read) and held in the endpoint's ResourceSubscriptions,
// under the session's id or the listen stream's.
import { ProtocolError, ProtocolErrorCode } from "@modelcontextprotocol/server"
import { authorizePluginRead } from "./authorize.ts"
import type { WorkspaceHost } from "./host.ts"
import { type Names, splitMemoryUri } from "./namespacing.ts"
import type { ResourceSubscriptions } from "./resource-subscriptions.ts"

/** The plugin and upstream URI an agent's URI names, or the reason it cannot be watched. */
export const watchTarget = (host: WorkspaceHost, names: Names, uri: string) => {
  if (names.plugin === undefined && splitMemoryUri(uri)) throw new ProtocolError(ProtocolErrorCode.InvalidParams, "workspace memory's resources cannot be subscribed to")
  const target = names.splitResource(uri)
  if (!target) throw new ProtocolError(ProtocolErrorCode.InvalidParams, `'${uri}' is not a Berth resource URI (berth://{plugin}/{uri})`)
  if (!host.state().plugins[target.plugin]) throw new ProtocolError(ProtocolErrorCode.InvalidParams, `no plugin '${target.plugin.slice(0, 64)}' in this workspace`)
  return target
}

/** `watcher` (a session or a listen stream) watches `uri` for `agent`, once the agent may read it; one upstream subscription per resource. */
export const watch = async (
  host: WorkspaceHost,
  subscriptions: ResourceSubscriptions,
  watcher: string,
  agent: string,
  names: Names,
  uri: string,
  era: { era?: "legacy" }
): Promise<void> => {
  const target = watchTarget(host, names, uri)
  const state = host.state()
  const decision = authorizePluginRead(state, host.policies(), agent, "read_resource", target.plugin)
  if (!decision.allow) throw new ProtocolError(ProtocolErrorCode.InvalidRequest, `Berth refused this request: ${decision.reason}`)
  const plugin = state.plugins[target.plugin]!
  const ref = { plugin: target.plugin, url: plugin.url, transport: plugin.transport, ...era }
  await subscriptions.add(watcher, target.plugin, target.uri, uri, () => host.pool.watchResource(ref, target.uri))
}
