// Vault and grant errors. None carries or quotes a credential's value: they name the credential,
// the grant, or the rule.
import { Schema } from "effect"

export class CredentialNotFound extends Schema.TaggedError<CredentialNotFound>()("CredentialNotFound", { credential: Schema.String }) {
  override get message() {
    return `no credential '${this.credential}' in this workspace (berth credential list)`
  }
}

export class CredentialAlreadyRevoked extends Schema.TaggedError<CredentialAlreadyRevoked>()("CredentialAlreadyRevoked", {
  credential: Schema.String
}) {
  override get message() {
    return `credential '${this.credential}' is revoked; set it again to store a new value`
  }
}

export class GrantNotFound extends Schema.TaggedError<GrantNotFound>()("GrantNotFound", { grant: Schema.String }) {
  override get message() {
    return `no grant '${this.grant}' in this workspace (berth credential grants)`
  }
}

/** A member's credential serves only the agents that member owns. */
export class GrantOutsideOwner extends Schema.TaggedError<GrantOutsideOwner>()("GrantOutsideOwner", {
  credential: Schema.String,
  member: Schema.String,
  agent: Schema.String
}) {
  override get message() {
    return `credential '${this.credential}' belongs to member '${this.member}', and agent '${this.agent}' is not theirs: a member's credential serves only the agents that member owns`
  }
}

/** The plane has no BERTH_VAULT_KEY: it stores no credentials, and serves everything else. */
export class VaultKeyMissing extends Schema.TaggedError<VaultKeyMissing>()("VaultKeyMissing", {}) {
  override get message() {
    return "this plane has no BERTH_VAULT_KEY, so it stores no credentials; set the Worker secret (wrangler secret put BERTH_VAULT_KEY; npm start writes one to .dev.vars)"
  }
}

/** A value the vault will not store. Names the rule, never the value. */
export class InvalidCredentialValue extends Schema.TaggedError<InvalidCredentialValue>()("InvalidCredentialValue", {
  credential: Schema.String,
  rule: Schema.String
}) {
  override get message() {
    return `the value for credential '${this.credential}' was not stored: ${this.rule}`
  }
}

/** The upstream refused the request for want of (valid) credentials. */
export const isUnauthorized = (reason: string) => /\b401\b|unauthori[sz]ed/i.test(reason)

/**
 * What to add to a discovery failure the upstream answered with 401: how to give the plugin a
 * credential, or that the one it carried was refused. Names the credential, never its value.
 */
export const unauthorizedHint = (reason: string, plugin: string, credential: string | undefined): string => {
  if (!isUnauthorized(reason)) return ""
  return credential === undefined
    ? `; the upstream wants a credential: store it with \`berth credential set <name> --plugin ${plugin} --bearer-stdin\` ` +
        `(or install with --auth oauth and \`berth credential connect <name> --plugin ${plugin}\`), then \`berth credential grant <name> --plugin ${plugin}\` (discovery carries the plugin's team grant)`
    : `; the upstream refused credential '${credential}' (the plugin's team grant): set it again with a valid value`
}

/** Starting an OAuth connect (or configuring a client) needs the upstream's OAuth metadata, and it failed. */
export class UpstreamOAuthFailed extends Schema.TaggedError<UpstreamOAuthFailed>()("UpstreamOAuthFailed", {
  plugin: Schema.String,
  reason: Schema.String
}) {
  override get message() {
    return `OAuth with plugin '${this.plugin}' failed: ${this.reason}`
  }
}

export class CredentialConnectNotFound extends Schema.TaggedError<CredentialConnectNotFound>()("CredentialConnectNotFound", {
  connect: Schema.String
}) {
  override get message() {
    return `no connect '${this.connect}' in this workspace (a connect is kept for an hour after it starts)`
  }
}

/** The redirect must land on the plane, so a connect is started over HTTP at the plane's own https (or loopback) URL. */
export class PlaneOriginUnknown extends Schema.TaggedError<PlaneOriginUnknown>()("PlaneOriginUnknown", {}) {
  override get message() {
    return "a credential connect needs the plane's public URL for its redirect: send it to POST /admin/rpc at the plane's https (or localhost) address"
  }
}
