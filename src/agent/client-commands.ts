// Pre-registered OAuth clients for agents (`berth client add|remove`): the admin edge creates or
// deletes the provider's record (src/oauth/agent-clients.ts), and these record that it did.
import { Effect, Schema } from "effect"
import { event } from "../../events/index.ts"
import type { WorkspaceState } from "../../projections/state.ts"
import { requireWorkspace } from "../workspace/decider.ts"
import { AgentClientNotFound } from "./errors.ts"

const text = (max: number) => Schema.String.check(Schema.isMinLength(1), Schema.isMaxLength(max))

/** `clientId` is filled in by the admin edge once the provider has stored the client. */
export class RegisterAgentClient extends Schema.TaggedClass<RegisterAgentClient>()("RegisterAgentClient", {
  clientId: text(200),
  clientName: text(200),
  redirectUris: Schema.Array(text(2000)).check(Schema.isMinLength(1), Schema.isMaxLength(10)),
  confidential: Schema.Boolean
}) {}

export const decideRegisterAgentClient = Effect.fnUntraced(function* (state: WorkspaceState, command: RegisterAgentClient, slug: string) {
  yield* requireWorkspace(state, slug)
  const { clientId, clientName, redirectUris, confidential } = command
  return [event("AgentClientRegistered", { clientId, clientName, redirectUris: [...redirectUris], confidential })]
})

export class RemoveAgentClient extends Schema.TaggedClass<RemoveAgentClient>()("RemoveAgentClient", { clientId: text(200) }) {}

export const decideRemoveAgentClient = Effect.fnUntraced(function* (state: WorkspaceState, command: RemoveAgentClient, slug: string) {
  yield* requireWorkspace(state, slug)
  if (!state.agentClients[command.clientId]) return yield* new AgentClientNotFound({ clientId: command.clientId })
  return [event("AgentClientRemoved", { clientId: command.clientId })]
})
