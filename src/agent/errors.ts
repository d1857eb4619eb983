// Agent errors: each names the agent and the rule it broke.
import { Schema } from "effect"

export class AgentAlreadyExists extends Schema.TaggedError<AgentAlreadyExists>()("AgentAlreadyExists", {
  agent: Schema.String
}) {
  override get message() {
    return `agent '${this.agent}' already exists (names are never reused, even after revocation)`
  }
}

export class AgentNotFound extends Schema.TaggedError<AgentNotFound>()("AgentNotFound", { agent: Schema.String }) {
  override get message() {
    return `agent '${this.agent}' is not registered in this workspace`
  }
}

export class AgentAlreadySuspended extends Schema.TaggedError<AgentAlreadySuspended>()("AgentAlreadySuspended", {
  agent: Schema.String
}) {
  override get message() {
    return `agent '${this.agent}' is already suspended`
  }
}

/** Rule: revocation is final. */
export class AgentAlreadyRevoked extends Schema.TaggedError<AgentAlreadyRevoked>()("AgentAlreadyRevoked", {
  agent: Schema.String
}) {
  override get message() {
    return `agent '${this.agent}' is revoked; revocation is final`
  }
}

export class AgentClientNotFound extends Schema.TaggedError<AgentClientNotFound>()("AgentClientNotFound", { clientId: Schema.String }) {
  override get message() {
    return `no OAuth client '${this.clientId}' was registered in this workspace with berth client add`
  }
}
