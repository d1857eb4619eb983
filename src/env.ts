// The Worker's bindings, as wrangler.toml declares them.
import type { WorkspaceDb } from "./sandbox/db/workspace-db.ts"
import type { Workspace } from "./workspace/durable-object.ts"

export interface Env {
  readonly WORKSPACE: DurableObjectNamespace<Workspace>
  /** orbit.db: one SQLite database per workspace, by slug, apart from the log's storage (src/sandbox/db). */
  readonly WORKSPACE_DB: DurableObjectNamespace<WorkspaceDb>
  readonly DIRECTORY: KVNamespace
  /** D1: the read models for queries across workspaces (projections/d1). */
  readonly READ_MODELS: D1Database
  /** R2: the audit archive, sealed segments and a signed manifest per workspace (projections/archive). */
  readonly AUDIT: R2Bucket
  /** R2: orbit.storage, each workspace's objects under `storage/<workspace>/` (src/sandbox/primitives). */
  readonly STORAGE: R2Bucket
  /** KV: orbit.cache, each workspace's cached values under `cache/<workspace>/`. */
  readonly CACHE: KVNamespace
  /** Worker Loader: runs submitted code in an isolate of its own (src/sandbox). */
  readonly LOADER: WorkerLoader
  /** Workers AI (`[ai] binding = "AI"`), when the deployment configures it: orbit.ai's first source (src/sandbox/primitives/ai.ts). */
  readonly AI?: Ai
  /** The Workers AI text-generation model orbit.ai runs (default @cf/meta/llama-3.3-70b-instruct-fp8-fast). */
  readonly BERTH_AI_MODEL?: string
  /** Worker secret: base64 PKCS#8 Ed25519 private key that signs archive manifests. Unset pauses the archive. */
  readonly BERTH_AUDIT_SIGNING_KEY?: string
  /** Seal a segment once this many events are unsealed (default 1000). */
  readonly BERTH_ARCHIVE_SEGMENT_EVENTS?: string
  /** Seal whatever is unsealed once its oldest event is this many seconds old (default 3600). */
  readonly BERTH_ARCHIVE_SEAL_SECONDS?: string
  /** Worker secret: the vault's root key (HKDF → each workspace's keys, src/vault/crypto.ts). Unset: no credentials are stored. */
  readonly BERTH_VAULT_KEY?: string
  /** During a rotation, the vault key being replaced: rows wrapped under it are rewrapped when each workspace wakes. */
  readonly BERTH_VAULT_KEY_PREVIOUS?: string
  /** Worker secret. Unset means the admin RPC refuses everyone: there is no default token. */
  readonly BERTH_ADMIN_TOKEN?: string
  /** Comma-separated hostnames whose browser pages may call the MCP endpoint (loopback always may). */
  readonly BERTH_ALLOWED_ORIGINS?: string
  /** Seconds Berth waits for an agent to answer a relayed sampling or elicitation request (default 300). */
  readonly BERTH_MCP_ANSWER_SECONDS?: string
  /** KV: @cloudflare/workers-oauth-provider's storage (clients, grants, hashed tokens). src/oauth. */
  readonly OAUTH_KV: KVNamespace
  /** Worker secret (32+ random bytes, base64url): signs member sessions and remembered consent. Unset: nobody can sign in. src/auth. */
  readonly BERTH_SESSION_SECRET?: string
  /** OpenID Connect issuer URL that members sign in with (deployed sign-in). src/auth/oidc.ts. */
  readonly BERTH_OIDC_ISSUER?: string
  /** The plane's client id at that OpenID provider. */
  readonly BERTH_OIDC_CLIENT_ID?: string
  /** Worker secret: the plane's client secret at that OpenID provider. */
  readonly BERTH_OIDC_CLIENT_SECRET?: string
}
