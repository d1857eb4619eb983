// Routes one admin request to the workspace it names: commands to the Durable Object's pipeline,
// queries to its readers. HTTP (http.ts) and Workers RPC (entrypoint.ts) share this, so they agree.
// A workspace the directory does not know is refused before its object is reached: only
// CreateWorkspace brings one into being.
import { AgentNotFound } from "../agent/errors.ts"
import type { PutInput } from "../memory/memory.ts"
import { Cause, Exit, Schema } from "effect"
import { type Actor, WorkspaceSlug } from "../../events/index.ts"
import { mintAgentKey } from "../agent/agent-key.ts"
import { forbiddenIn, forbiddenOnPlane, roleIn } from "../auth/roles.ts"
import type { Env } from "../env.ts"
import { COMMAND_TAGS, type CommandTag } from "../workspace/decide.ts"
import { Directory } from "../workspace/directory.ts"
import { markWorkspaceExists, workspaceExists } from "../workspace/known-workspaces.ts"
import { WorkspaceNotFound } from "../workspace/errors.ts"
import { type ErrorBody, errorBody } from "../workspace/execute.ts"
import { describeSchemaError } from "../workspace/invalid-command.ts"
import { workspaceStub } from "../workspace/stub.ts"
import { InvalidPolicy } from "../policy/errors.ts"
import type { RefusedProposal } from "../policy/proposal.ts"
import { RunNotFound } from "../runs/errors.ts"
import { PlaneOriginUnknown } from "../vault/errors.ts"
import { Buffer } from "node:buffer"
import { createAgentClient, deleteAgentClient } from "../oauth/agent-clients.ts"
import { loadSigner } from "../../projections/archive/signing.ts"
import { BadCursor, queryEvents, queryRuns, querySpans } from "../read-models/queries.ts"
import { ArchiveObjectNotFound, ArchiveSealFailed, AuditKeyMissing, InvalidRequest } from "./errors.ts"
import { Query, type ReadArchiveObject } from "./queries.ts"

export type AdminResponse = { readonly ok: true; readonly result: unknown } | { readonly ok: false; readonly error: ErrorBody }

const CommandRouting = Schema.Struct({
  workspace: WorkspaceSlug,
  expectedSeq: Schema.optional(Schema.Int.check(Schema.isGreaterThanOrEqualTo(0))),
  idempotencyKey: Schema.optional(Schema.String.check(Schema.isMinLength(1), Schema.isMaxLength(200)))
})

/** Commands only the plane itself issues: a tool call's run, and the consent page's. */
export const INTERNAL_COMMANDS: ReadonlyArray<CommandTag> = [
  "StartRun",
  "FinishRun",
  "RecordRun",
  // The consent page's answers and the allowlist's refusals: the plane vouches for their member and client (src/oauth).
  "AuthorizeOAuthAgent",
  "DenyOAuthConsent",
  "RecordClientRefusal",
  // An upstream OAuth credential's connect, refresh and expiry: the callback and the session record them (src/vault/oauth).
  "ConnectOAuthCredential",
  "RefreshCredential",
  "ExpireCredential",
  // A memory entry's TTL ran out: the workspace's alarm records it (src/memory).
  "ExpireMemory",
  // Jobs are scheduled by scripts (orbit.jobs) and fired by the workspace's alarm (src/jobs).
  "ScheduleJob",
  "StartJob",
  "FinishJob"
]

const QUERY_TAGS = Query.members.map((m) => m.identifier)
const querySchemas = new Map(Query.members.map((m) => [m.identifier, m] as const))

const fail = (error: { readonly _tag: string; readonly message: string }): AdminResponse => ({
  ok: false,
  error: { ...error, message: error.message } as ErrorBody
})

const invalid = (field: string, reason: string) => fail(new InvalidRequest({ field, reason }))

const refusedProposal = ({ ok: _, ...fields }: RefusedProposal) => fail(errorBody(new InvalidPolicy(fields)))

/**
 * `origin`: the plane's own origin as the request reached it (https, or http on loopback), where an
 * upstream's OAuth redirect can land; absent over the service binding.
 */
export const dispatch = async (env: Env, body: unknown, actor: Actor, origin?: string): Promise<AdminResponse> => {
  if (typeof body !== "object" || body === null || Array.isArray(body))
    return invalid("", "the request body must be a JSON object with a _tag naming a command or query")
  const tag = (body as { _tag?: unknown })._tag
  if (typeof tag === "string" && (COMMAND_TAGS as ReadonlyArray<string>).includes(tag))
    return runCommand(env, tag as CommandTag, body as Record<string, unknown>, actor)
  const query = typeof tag === "string" ? querySchemas.get(tag) : undefined
  if (!query)
    return invalid(
      "_tag",
      `unknown request ${JSON.stringify(tag)}; commands: ${COMMAND_TAGS.join(", ")}; queries: ${QUERY_TAGS.join(", ")}`
    )
  const onPlane = forbiddenOnPlane(actor, query.identifier as Query["_tag"])
  if (onPlane) return fail(errorBody(onPlane))
  // As with commands, a field the query does not declare is refused, not silently ignored.
  const decoded = Schema.decodeUnknownExit(query as Schema.Codec<Query, unknown>)(body, { onExcessProperty: "error" })
  if (Exit.isFailure(decoded)) return schemaFailure(Cause.squash(decoded.cause) as Schema.SchemaError)
  return runQuery(env, decoded.value, actor, origin)
}

const schemaFailure = (error: Schema.SchemaError): AdminResponse => fail(new InvalidRequest(describeSchemaError(error)))

const runCommand = async (env: Env, tag: CommandTag, body: Record<string, unknown>, actor: Actor): Promise<AdminResponse> => {
  if (INTERNAL_COMMANDS.includes(tag)) return invalid("_tag", `${tag} is recorded by the plane itself (the MCP endpoint, a consent page or an OAuth callback), not sent by admins`)
  // A workspace role is checked by the workspace itself, atomically with the append (execute.ts).
  const onPlane = forbiddenOnPlane(actor, tag)
  if (onPlane) return fail(errorBody(onPlane))
  if ("discovery" in body) return invalid("discovery", "discovery is filled in by Berth when it connects to the plugin")
  const routing = Schema.decodeUnknownExit(CommandRouting)(body, { onExcessProperty: "ignore" })
  if (Exit.isFailure(routing)) return schemaFailure(Cause.squash(routing.cause) as Schema.SchemaError)
  const { workspace, expectedSeq, idempotencyKey } = routing.value
  const { workspace: _w, expectedSeq: _e, idempotencyKey: _i, ...command } = body
  // A credential's value goes to the vault alone: never into the command, its idempotency record, or an answer.
  const secretField = tag === "SetCredential" ? "value" : tag === "ConfigureOAuthClient" ? "clientSecret" : undefined
  const value = secretField === undefined ? undefined : command[secretField]
  if (secretField !== undefined) delete command[secretField]
  const fingerprint = { ...command }
  // The agent key is minted here, at the edge, and shown once: only its hash travels on.
  const minted = tag === "RegisterAgent" ? mintAgentKey(workspace) : undefined
  if (minted) Object.assign(command, { keyHash: minted.keyHash, keyPrefix: minted.keyPrefix })
  if (tag === "CreateWorkspace") command.workspace = workspace

  if (tag !== "CreateWorkspace" && !(await workspaceExists(env, workspace))) return fail(errorBody(new WorkspaceNotFound({ workspace })))
  const stub = workspaceStub(env, workspace)
  // A pre-registered OAuth client is stored with the provider first; its secret is shown once, here.
  // The role is checked before anything is stored (and again, atomically, by the workspace).
  const refused = tag === "RegisterAgentClient" ? forbiddenIn((await stub.snapshot()).state, workspace, actor, tag) : undefined
  if (refused) return fail(errorBody(refused))
  const client = tag === "RegisterAgentClient" ? await createAgentClient(env, workspace, command) : undefined
  if (client && !client.ok) return invalid("redirectUris", client.reason)
  if (client?.ok) Object.assign(command, { clientId: client.clientId })
  const options = {
    actor,
    ...(expectedSeq === undefined ? {} : { expectedSeq }),
    ...(idempotencyKey === undefined ? {} : { idempotencyKey, fingerprint })
  }
  // A client leaves the provider before its removal is appended. Deleting is idempotent, so a failure
  // between the two is mended by a retry, which still finds the client in the log; the other order
  // left a removal on the record that no retry could finish.
  if (tag === "RemoveAgentClient") {
    const checked = await stub.precheck(command, options)
    if (checked && !checked.ok) return { ok: false, error: checked.error }
    if (checked?.ok) return { ok: true, result: { seq: checked.seq, events: checked.events, replayed: checked.replayed } }
    await deleteAgentClient(env, workspace, (command as { clientId: string }).clientId)
  }
  // Discovery connects to the upstream first, inside the workspace, so its client stays warm there.
  const outcome =
    tag === "SetCredential"
      ? await stub.setCredential(command, value, options)
      : tag === "ConfigureOAuthClient"
      ? await stub.configureOAuthClient(command, value, options)
      : tag === "InstallPlugin"
      ? await stub.installPlugin(command, options)
      : tag === "PutMemory"
      ? await stub.putMemory(command as unknown as PutInput, options)
      : tag === "RefreshPlugin"
        ? await stub.refreshPlugin(command as { plugin: string }, options)
        : await stub.execute(command, options)
  if (client?.ok && (!outcome.ok || outcome.replayed)) await deleteAgentClient(env, workspace, client.clientId)
  if (!outcome.ok) return { ok: false, error: outcome.error }
  // The object has written its directory entry, but KV may not show it everywhere yet.
  if (tag === "CreateWorkspace") markWorkspaceExists(workspace)
  const { seq, events, replayed } = outcome
  if (client?.ok)
    return { ok: true, result: { seq, events, replayed, ...(replayed ? {} : { clientId: client.clientId, clientSecret: client.clientSecret ?? null }) } }
  if (!minted) return { ok: true, result: { seq, events, replayed } }
  // A replayed registration cannot show the key again: it was shown once, to the first caller.
  const agent = (body as { agent?: unknown }).agent
  return { ok: true, result: { seq, events, replayed, agent, ...(replayed ? {} : { key: minted.key }) } }
}

/** Times in D1 are stored as toISOString() does, so filters are normalised the same way. */
const iso = (time: string | undefined) => (time === undefined ? undefined : new Date(time).toISOString())

/** Queries the Worker answers itself, from D1, R2 or its own secrets, without waking any workspace. */
const runPlaneQuery = async (env: Env, query: Query, actor: Actor): Promise<AdminResponse | undefined> => {
  const paged = async (run: () => Promise<{ items: ReadonlyArray<unknown>; next: string | null }>, name: string) => {
    try {
      const { items, next } = await run()
      return { ok: true as const, result: { [name]: items, next } }
    } catch (error) {
      if (error instanceof BadCursor) return invalid("cursor", error.message)
      throw error
    }
  }
  switch (query._tag) {
    case "ListWorkspaces":
      return { ok: true, result: { workspaces: await Directory.list(env.DIRECTORY) } }
    case "QueryRuns":
      return paged(() => queryRuns(env.READ_MODELS, { ...query, since: iso(query.since), until: iso(query.until) }), "runs")
    case "QuerySpans":
      return paged(() => querySpans(env.READ_MODELS, { ...query, since: iso(query.since), until: iso(query.until) }), "spans")
    case "QueryEvents":
      return paged(() => queryEvents(env.READ_MODELS, { ...query, since: iso(query.since), until: iso(query.until) }), "events")
    case "GetAuditPublicKey": {
      if (!env.BERTH_AUDIT_SIGNING_KEY) return fail(new AuditKeyMissing({ reason: "BERTH_AUDIT_SIGNING_KEY is not set on this plane" }))
      const signer = await loadSigner(env.BERTH_AUDIT_SIGNING_KEY).catch(() => null)
      if (!signer) return fail(new AuditKeyMissing({ reason: "BERTH_AUDIT_SIGNING_KEY is not a base64 Ed25519 PKCS#8 key" }))
      return { ok: true, result: { alg: "Ed25519", publicKey: signer.publicKey, keyId: signer.keyId } }
    }
    // A member's role is read from the workspace first (runQuery), so only the admin skips it.
    case "ReadArchiveObject":
      return actor.type === "member" ? undefined : readArchiveObject(env, query)
    case "WhoAmI":
      return query.workspace === undefined ? { ok: true, result: { actor, plane: actor.type === "admin" } } : undefined
    default:
      return undefined
  }
}

const readArchiveObject = async (env: Env, { workspace, key }: ReadArchiveObject): Promise<AdminResponse> => {
  // Only this workspace's objects: its segments and its manifest.
  const object = key.startsWith(`audit/${workspace}/`) && !key.includes("..") ? await env.AUDIT.get(key) : null
  if (!object) return fail(new ArchiveObjectNotFound({ workspace, key }))
  const bytes = await object.arrayBuffer()
  return { ok: true, result: { key, bytes: bytes.byteLength, base64: Buffer.from(bytes).toString("base64") } }
}

const runQuery = async (env: Env, query: Query, actor: Actor, origin: string | undefined): Promise<AdminResponse> => {
  const answered = await runPlaneQuery(env, query, actor)
  if (answered) return answered
  if (!("workspace" in query) || query.workspace === undefined) return invalid("workspace", "is required")
  if (!(await workspaceExists(env, query.workspace))) return fail(errorBody(new WorkspaceNotFound({ workspace: query.workspace })))
  const stub = workspaceStub(env, query.workspace)
  const snapshot = await stub.snapshot()
  if (snapshot.state.workspace === null) return fail(errorBody(new WorkspaceNotFound({ workspace: query.workspace })))
  const { state } = snapshot
  // The members as they are now: a member removed since their last request is refused at this one.
  const forbidden = forbiddenIn(state, query.workspace, actor, query._tag)
  if (forbidden) return fail(errorBody(forbidden))
  switch (query._tag) {
    case "WhoAmI":
      return { ok: true, result: { actor, plane: actor.type === "admin", workspace: query.workspace, role: roleIn(state, actor) } }
    case "ReadArchiveObject":
      return readArchiveObject(env, query)
    case "GetState": {
      if (query.at === undefined) return { ok: true, result: snapshot }
      const point = typeof query.at === "number" ? { seq: query.at } : { time: new Date(query.at).toISOString() }
      return { ok: true, result: await stub.stateAt(point) }
    }
    case "GetAgentAt": {
      const point = typeof query.at === "number" ? { seq: query.at } : { time: new Date(query.at).toISOString() }
      return { ok: true, result: await stub.agentAt(point, query.agent) }
    }
    case "ListEvents": {
      const limit = query.limit ?? 100
      const events = await stub.events(query.from ?? 1, limit)
      const next = events.length === limit ? events[events.length - 1]!.seq + 1 : null
      return { ok: true, result: { events, next, head: snapshot.seq } }
    }
    case "VerifyLog":
      return { ok: true, result: await stub.verify() }
    case "ListMembers":
      return { ok: true, result: { members: Object.entries(state.members).map(([member, m]) => ({ member, ...m })) } }
    case "ListAgents":
      return {
        ok: true,
        result: {
          agents: Object.entries(state.agents).map(([agent, { keyHash: _, ...a }]) => ({ agent, ...a }))
        }
      }
    case "ListPlugins":
      return {
        ok: true,
        result: {
          plugins: Object.entries(state.plugins).map(([plugin, p]) => ({
            plugin,
            ...p,
            tools: Object.values(state.tools).filter((t) => t.plugin === plugin).length
          }))
        }
      }
    case "ListTools":
      return {
        ok: true,
        result: {
          tools: Object.entries(state.tools).map(([tool, t]) => ({
            tool,
            plugin: t.plugin,
            status: t.status,
            hash: t.hash,
            ...(t.approvedHash === undefined ? {} : { approvedHash: t.approvedHash }),
            ...(t.definition.description === undefined ? {} : { description: t.definition.description })
          }))
        }
      }
    case "ListPrompts":
      return {
        ok: true,
        result: {
          prompts: Object.values(state.prompts)
            .map((p) => ({
              plugin: p.plugin,
              prompt: p.name,
              status: p.status,
              hash: p.hash,
              ...(p.approvedHash === undefined ? {} : { approvedHash: p.approvedHash }),
              ...(p.definition.description === undefined ? {} : { description: p.definition.description })
            }))
            .sort((a, b) => a.plugin.localeCompare(b.plugin) || a.prompt.localeCompare(b.prompt))
        }
      }
    case "ListResources":
      return {
        ok: true,
        result: {
          resources: Object.values(state.resources)
            .map((r) => ({
              plugin: r.plugin,
              uri: r.uri,
              name: r.definition.name,
              status: r.status,
              hash: r.hash,
              ...(r.approvedHash === undefined ? {} : { approvedHash: r.approvedHash }),
              ...(r.definition.description === undefined ? {} : { description: r.definition.description }),
              ...(r.definition.mimeType === undefined ? {} : { mimeType: r.definition.mimeType })
            }))
            .sort((a, b) => a.plugin.localeCompare(b.plugin) || a.uri.localeCompare(b.uri))
        }
      }
    case "ListRuns":
      return { ok: true, result: { runs: await stub.runs({ agent: query.agent, tool: query.tool, status: query.status, limit: query.limit }) } }
    case "GetRun": {
      const events = await stub.run(query.run)
      if (events.length === 0) return fail(errorBody(new RunNotFound({ run: query.run })))
      return {
        ok: true,
        result: {
          run: query.run,
          started: events.find((e) => e.type === "RunStarted"),
          spans: events.filter((e) => e.type === "SpanRecorded").map((e) => (e.data as { span: unknown }).span),
          finished: events.find((e) => e.type === "RunFinished") ?? null
        }
      }
    }
    case "TestPolicy": {
      const { agent, tool, args, text, as } = query
      const outcome = await stub.tryCall({ agent, tool, args: args ?? {}, text, as })
      if (!outcome.ok) return refusedProposal(outcome)
      return { ok: true, result: { ...outcome.decision, evaluated: outcome.evaluated } }
    }
    case "SimulatePolicy": {
      const { text, as, last, since } = query
      const outcome = await stub.simulatePolicy({ text, as, last, since: since === undefined ? undefined : new Date(since).toISOString() })
      if (!outcome.ok) return refusedProposal(outcome)
      const { ok: _, ...result } = outcome
      return { ok: true, result }
    }
    case "ListLimits":
      return { ok: true, result: { limits: Object.entries(state.limits).map(([limit, l]) => ({ limit, ...l })) } }
    case "ListCredentials":
      return { ok: true, result: { credentials: Object.entries(state.credentials).map(([credential, c]) => ({ credential, ...c })) } }
    case "ListGrants":
      return { ok: true, result: { grants: Object.entries(state.grants).map(([grant, g]) => ({ grant, ...g })) } }
    case "GetMemory": {
      const entry = await stub.getMemory(query.namespace, query.key)
      return "_tag" in entry ? fail(entry) : { ok: true, result: entry }
    }
    case "ListMemory": {
      const { workspace: _, _tag, ...options } = query
      return { ok: true, result: await stub.listMemory(options) }
    }
    case "SearchMemory":
      return { ok: true, result: await stub.searchMemory(query.query, { prefix: query.prefix, limit: query.limit }) }
    case "MemoryHistory":
      return { ok: true, result: { history: await stub.memoryHistory(query.namespace, query.key) } }
    case "RunCode": {
      if (!state.agents[query.agent]) return fail(new AgentNotFound({ agent: query.agent }))
      const { agent, code, file, input, timeoutMs, wait } = query
      return { ok: true, result: await stub.runCode(agent, { code, file, input, timeoutMs }, { wait: wait !== false }) }
    }
    case "ListJobs":
      return { ok: true, result: { jobs: await stub.jobs(query.agent) } }
    case "CodeTools":
      if (!state.agents[query.agent]) return fail(new AgentNotFound({ agent: query.agent }))
      return { ok: true, result: await stub.codeTools(query.agent) }
    case "ListOAuthClients":
      return { ok: true, result: { clients: Object.entries(state.oauthClients).map(([plugin, c]) => ({ plugin, ...c })) } }
    case "StartCredentialConnect": {
      if (origin === undefined) return fail(errorBody(new PlaneOriginUnknown()))
      const { workspace: _, _tag, ...input } = query
      const started = await stub.startCredentialConnect({ input, origin, actor })
      if (!started.ok) return { ok: false, error: started.error }
      const { ok: __, ...result } = started
      return { ok: true, result }
    }
    case "CredentialConnectStatus": {
      const status = await stub.credentialConnectStatus(query.connect)
      if (!status.ok) return { ok: false, error: status.error }
      const { ok: _, ...result } = status
      return { ok: true, result }
    }
    case "ListPolicies":
      return { ok: true, result: { policies: Object.entries(state.policies).map(([policy, p]) => ({ policy, ...p })) } }
    case "ResetReadModels":
      return { ok: true, result: await stub.resetReadModels() }
    case "PushReadModels":
      return { ok: true, result: await stub.pushReadModels(query.maxEvents) }
    case "SealArchive": {
      const status = await stub.sealArchive()
      if (status.keyId === null) return fail(new AuditKeyMissing({ reason: status.lastError ?? "the archive has no signing key" }))
      if (status.lag > 0 && status.lastError !== null) return fail(new ArchiveSealFailed({ sealedThrough: status.cursor, reason: status.lastError }))
      return { ok: true, result: status }
    }
    default:
      return invalid("_tag", `${query._tag} is answered by the plane, not a workspace`)
  }
}
