// A plugin's prompts and resources as pinned (src/registry): what agents are shown and may read.
// A prompt is served only as pinned: listed while its live definition is the approved one, and got
// only while approved. A resource the workspace never pinned (past the first page discovery reads,
// or one an upstream lists later) is served as listed; a pinned one only as approved.
import type { Prompt, Resource } from "@modelcontextprotocol/client"
import { promptKey, resourceKey, type WorkspaceState } from "../../projections/state.ts"
import { codeSpan, lastArgument } from "../admin/shell-word.ts"
import { hashedPrompt, hashedResource } from "./discover.ts"

/** Whether a prompt an upstream lists now is shown to agents. */
export const showsPrompt = (state: WorkspaceState, plugin: string, prompt: Prompt): boolean => {
  const pinned = state.prompts[promptKey(plugin, prompt.name)]
  return pinned?.status === "approved" && pinned.approvedHash === hashedPrompt(prompt).hash
}

/** Whether a resource an upstream lists now is shown to agents. */
export const showsResource = (state: WorkspaceState, plugin: string, resource: Resource): boolean => {
  const pinned = state.resources[resourceKey(plugin, resource.uri)]
  return pinned === undefined || (pinned.status === "approved" && pinned.approvedHash === hashedResource(resource).hash)
}

/** Why an agent may not get a prompt, or undefined when it may. */
export const promptRefusal = (state: WorkspaceState, plugin: string, prompt: string): string | undefined => {
  const pinned = state.prompts[promptKey(plugin, prompt)]
  const name = `prompt ${codeSpan(prompt.slice(0, 128))} of plugin '${plugin}'`
  if (pinned === undefined) return `${name} is not pinned: an admin pins what the plugin offers now with ${codeSpan(`berth plugin refresh ${plugin}`)}`
  if (pinned.status !== "approved")
    return `${name} is quarantined: its definition changed since it was approved; an admin approves it again with ${codeSpan(`berth prompt approve ${plugin} ${lastArgument(prompt)}`)}`
  return undefined
}

/** Why an agent may not read a resource, or undefined when it may. */
export const resourceRefusal = (state: WorkspaceState, plugin: string, uri: string): string | undefined => {
  const pinned = state.resources[resourceKey(plugin, uri)]
  if (pinned === undefined || pinned.status === "approved") return undefined
  return `resource ${codeSpan(uri.slice(0, 256))} of plugin '${plugin}' is quarantined: its definition changed since it was approved; an admin approves it again with ${codeSpan(`berth resource approve ${plugin} ${lastArgument(uri)}`)}`
}
