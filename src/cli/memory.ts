// `berth memory put|get|list|search|delete|history`: the workspace's memory (docs/memory.md). Keys,
// values, tags, snippets and actors are agents' words, so what a person reads is made printable;
// --json gives them exactly.
import { Effect, Option } from "effect"
import { Argument, Command, Flag } from "effect/cli"
import type { Envelope } from "../../events/index.ts"
import type { WorkspaceState } from "../../projections/state.ts"
import { flagQuoted, shellWord } from "../admin/shell-word.ts"
import { call, optionalField } from "./client.ts"
import { UsageError } from "./errors.ts"
import { mutationFlags, reportCommand, sendCommand } from "./mutation.ts"
import { clip, printJson, printLine, printTable } from "./output.ts"
import { printable, printableJson } from "./printable.ts"
import { jsonOutput, targetWorkspace } from "./root.ts"

type Entry = WorkspaceState["memory"][string]

const namespaceArg = Argument.String("namespace").pipe(Argument.withDescription("A namespace path, such as team/runbooks"))
const keyArg = Argument.String("key").pipe(Argument.withDescription("The entry's key within the namespace"))
const ifVersion = Flag.Int("if-version").pipe(
  Flag.withDescription("Only if the entry is at this version now (0: only if there is none); else MemoryVersionConflict"),
  Flag.optional
)
const prefix = Flag.String("prefix").pipe(Flag.withDescription("Only this namespace and the namespaces under it"), Flag.optional)
const limit = (most: number, fallback: number) =>
  Flag.Int("limit").pipe(Flag.withDescription(`At most this many, 1 to ${most} (default ${fallback})`), Flag.optional)

const address = (namespace: string, key: string) => printable(`${namespace}/${key}`)
const split = (value: Option.Option<string>) =>
  Option.match(value, { onNone: () => undefined, onSome: (v) => v.split(",").map((s) => s.trim()).filter(Boolean) })
/** A value on one line: its JSON, so text shows quoted and apart from a number or an object. */
const summary = (value: unknown, max = 60) => clip(JSON.stringify(value ?? null), max)

const TTL = /^(\d+)([smhd]?)$/
const SECONDS = { "": 1, s: 1, m: 60, h: 3600, d: 86400 } as const

/** `3600`, `30s`, `15m`, `2h` or `7d` as seconds; the plane checks the range. */
export const parseTtl = (ttl: string): number | UsageError => {
  const match = TTL.exec(ttl.trim())
  if (!match) return new UsageError({ reason: `--ttl takes seconds or a number with s, m, h or d (30s, 15m, 2h, 7d), got ${JSON.stringify(ttl)}` })
  return Number(match[1]) * SECONDS[match[2] as keyof typeof SECONDS]
}

/** The one value source given: --value (JSON), --text, or --file (a JSON file). */
const valueOf = (given: { value: Option.Option<string>; text: Option.Option<string>; file: Option.Option<string> }) => {
  const sources = [given.value, given.text, given.file].filter(Option.isSome).length
  if (sources !== 1) return new UsageError({ reason: "pass the value once: --value '<JSON>', --text '<text>' or --file <file.json>" })
  if (Option.isSome(given.text)) return { value: given.text.value as unknown }
  const [flag, json] = Option.isSome(given.value) ? ["--value", given.value.value] : ["--file", Option.getOrThrow(given.file)]
  try {
    return { value: JSON.parse(json) as unknown }
  } catch (error) {
    return new UsageError({ reason: `${flag} is not JSON (${error instanceof Error ? error.message : String(error)}); for text, use --text` })
  }
}

const put = Command.make(
  "put",
  {
    namespace: namespaceArg,
    key: keyArg,
    value: Flag.String("value").pipe(Flag.withDescription("The value as JSON (a JSON string is text)"), Flag.withMetavar("JSON"), Flag.optional),
    text: Flag.String("text").pipe(Flag.withDescription("The value as text"), Flag.optional),
    file: Flag.FileText("file").pipe(Flag.withDescription("The value from a JSON file"), Flag.optional),
    tags: Flag.String("tags").pipe(Flag.withDescription("Tags, comma-separated"), Flag.optional),
    ttl: Flag.String("ttl").pipe(Flag.withDescription("Expire after this long: seconds, or 30s, 15m, 2h, 7d"), Flag.optional),
    ifVersion,
    ...mutationFlags
  },
  Effect.fn(function* ({ namespace, key, value, text, file, tags, ttl, ifVersion, ...options }) {
    const given = valueOf({ value, text, file })
    if (given instanceof UsageError) return yield* given
    const ttlSeconds = Option.isSome(ttl) ? parseTtl(ttl.value) : undefined
    if (ttlSeconds instanceof UsageError) return yield* ttlSeconds
    const tagList = split(tags)
    const fields = {
      namespace,
      key,
      value: given.value,
      ...(tagList === undefined ? {} : { tags: tagList }),
      ...(ttlSeconds === undefined ? {} : { ttlSeconds }),
      ...optionalField("ifVersion", ifVersion)
    }
    const { result } = yield* sendCommand("PutMemory", fields, options)
    const version = result.events[0]?.data.version
    yield* reportCommand(result, `put memory entry ${address(namespace, key)}${version === undefined ? "" : ` at version ${String(version)}`}`)
  })
).pipe(
  Command.withDescription("Create or replace a memory entry: JSON (--value or --file) or text (--text)"),
  Command.withExamples([
    { command: "berth -w acme memory put team/runbooks deploy --text 'Roll back first.' --tags ops", description: "A text entry, tagged" },
    { command: `berth -w acme memory put team/config release --value '{"freeze":true}' --ttl 7d --if-version 0`, description: "JSON, only if new, for a week" },
    { command: "berth -w acme memory put team/config owners --file owners.json --if-version 3", description: "From a file, only over version 3" }
  ])
)

const get = Command.make(
  "get",
  { namespace: namespaceArg, key: keyArg },
  Effect.fn(function* ({ namespace, key }) {
    const entry = (yield* call({ _tag: "GetMemory", workspace: yield* targetWorkspace, namespace, key })) as Entry
    if (yield* jsonOutput) return yield* printJson(entry)
    yield* printLine(typeof entry.value === "string" ? entry.value : printableJson(entry.value, 2))
  })
).pipe(
  Command.withDescription("Print an entry's value: text as it is, JSON indented (--json: the entry with its version, tags and times)"),
  Command.withExamples([{ command: "berth -w acme memory get team/runbooks deploy", description: "The value alone" }])
)

interface MemoryPage {
  readonly entries: ReadonlyArray<Entry>
  readonly cursor: string | null
}

const list = Command.make(
  "list",
  {
    prefix,
    tags: Flag.String("tags").pipe(Flag.withDescription("Only entries with every one of these tags, comma-separated"), Flag.optional),
    cursor: Flag.String("cursor").pipe(Flag.withDescription("Continue after this entry (the cursor a page ended with)"), Flag.optional),
    limit: limit(200, 50)
  },
  Effect.fn(function* ({ prefix, tags, cursor, limit }) {
    const workspace = yield* targetWorkspace
    const query = {
      _tag: "ListMemory",
      workspace,
      ...optionalField("prefix", prefix),
      ...(Option.isSome(tags) ? { tags: split(tags) } : {}),
      ...optionalField("cursor", cursor),
      ...optionalField("limit", limit)
    }
    const page = (yield* call(query)) as MemoryPage
    if (yield* jsonOutput) return yield* printJson(page)
    const filtered = Option.isSome(prefix) || Option.isSome(tags) || Option.isSome(cursor)
    yield* printTable(
      ["NAMESPACE", "KEY", "VERSION", "TAGS", "EXPIRES", "UPDATED"],
      page.entries.map((m) => [m.namespace, m.key, String(m.version), m.tags.join(",") || "-", m.expiresAt ?? "-", m.updatedAt]),
      filtered ? "no memory entries match" : "no memory entries (berth memory put <namespace> <key> --text <text>)"
    )
    if (page.cursor === null) return
    // The workspace too, so the hint runs wherever it is pasted, whether -w or BERTH_WORKSPACE named it here.
    const again = [
      // A slug: letters, digits and dashes, never a leading dash.
      `-w ${shellWord(workspace)} memory list`,
      ...Option.match(prefix, { onNone: () => [], onSome: (p) => [flagQuoted("prefix", p)] }),
      ...Option.match(tags, { onNone: () => [], onSome: (t) => [flagQuoted("tags", t)] }),
      ...Option.match(limit, { onNone: () => [], onSome: (n) => [`--limit=${n}`] }),
      flagQuoted("cursor", page.cursor)
    ]
    yield* printLine(printable(`next page: berth ${again.join(" ")}`))
  })
).pipe(
  Command.withDescription("List entries by namespace and key, a page at a time"),
  Command.withExamples([
    { command: "berth -w acme memory list --prefix team --tags ops", description: "Entries under team/ tagged ops" },
    { command: "berth -w acme memory list --limit 20 --cursor 'team/runbooks/deploy'", description: "The page after an entry" }
  ])
)

interface SearchAnswer {
  readonly hits: ReadonlyArray<{
    readonly namespace: string
    readonly key: string
    readonly version: number
    readonly tags: ReadonlyArray<string>
    readonly score: number
    readonly snippet: string
  }>
}

const search = Command.make(
  "search",
  { query: Argument.String("query").pipe(Argument.withDescription("Words that must all match; word* matches a prefix")), prefix, limit: limit(100, 10) },
  Effect.fn(function* ({ query, prefix, limit }) {
    const request = { _tag: "SearchMemory", workspace: yield* targetWorkspace, query, ...optionalField("prefix", prefix), ...optionalField("limit", limit) }
    const answer = (yield* call(request)) as SearchAnswer
    if (yield* jsonOutput) return yield* printJson(answer)
    yield* printTable(
      ["NAMESPACE", "KEY", "VERSION", "TAGS", "SNIPPET"],
      answer.hits.map((h) => [h.namespace, h.key, String(h.version), h.tags.join(",") || "-", h.snippet]),
      `no memory entries match ${JSON.stringify(query)}`
    )
  })
).pipe(
  Command.withDescription("Full-text search over keys, values and tags, best match first; matched words are in [ ]"),
  Command.withExamples([{ command: "berth -w acme memory search 'roll* deploy' --prefix team", description: "Entries under team/ with both words" }])
)

const remove = Command.make(
  "delete",
  { namespace: namespaceArg, key: keyArg, ifVersion, ...mutationFlags },
  Effect.fn(function* ({ namespace, key, ifVersion, ...options }) {
    const { result } = yield* sendCommand("DeleteMemory", { namespace, key, ...optionalField("ifVersion", ifVersion) }, options)
    const version = result.events[0]?.data.version
    yield* reportCommand(result, `deleted memory entry ${address(namespace, key)}${version === undefined ? "" : ` (it was at version ${String(version)})`}`)
  })
).pipe(
  Command.withDescription("Delete an entry; its history stays in the log"),
  Command.withExamples([{ command: "berth -w acme memory delete team/runbooks deploy --if-version 2", description: "Only if nobody wrote it since version 2" }])
)

const history = Command.make(
  "history",
  { namespace: namespaceArg, key: keyArg },
  Effect.fn(function* ({ namespace, key }) {
    const answer = (yield* call({ _tag: "MemoryHistory", workspace: yield* targetWorkspace, namespace, key })) as { history: ReadonlyArray<Envelope> }
    if (yield* jsonOutput) return yield* printJson(answer)
    yield* printTable(
      ["SEQ", "AT", "ACTOR", "EVENT", "VERSION", "VALUE"],
      answer.history.map((e) => {
        const data = e.data as { version?: number; value?: unknown }
        return [String(e.seq), e.at, `${e.actor.type}:${e.actor.id}`, e.type, String(data.version ?? "-"), e.type === "MemoryPut" ? summary(data.value) : "-"]
      }),
      `no history for ${address(namespace, key)}`
    )
  })
).pipe(
  Command.withDescription("Every put, delete and expiry of one entry, oldest first: who, when, and the value put"),
  Command.withExamples([{ command: "berth -w acme memory history team/runbooks deploy", description: "Who changed the deploy runbook" }])
)

/** The `memory` section of `berth replay`: each entry as it stood, in namespace and key order. */
export const formatMemory = (memory: WorkspaceState["memory"]): string => {
  const entries = Object.values(memory).sort((a, b) => {
    const [x, y] = [`${a.namespace}/${a.key}`, `${b.namespace}/${b.key}`]
    return x < y ? -1 : x > y ? 1 : 0
  })
  const line = (m: Entry) =>
    [
      `${m.namespace}/${m.key}`,
      `version ${m.version}`,
      ...(m.tags.length > 0 ? [`tags ${m.tags.join(",")}`] : []),
      ...(m.expiresAt === undefined ? [] : [`expires ${m.expiresAt}`]),
      summary(m.value)
    ].join("  ")
  return [`memory (${entries.length})`, ...entries.map((m) => `  ${printable(line(m))}`)].join("\n")
}

export const memory = Command.make("memory").pipe(
  Command.withDescription("The workspace's memory: entries that outlive any one agent or run, kept in the log"),
  Command.withSubcommands([put, get, list, search, remove, history])
)
