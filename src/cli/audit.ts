// `berth audit …`: the compliance commands. export and verify --from-archive read the R2 archive
// only (through the plane's ReadArchiveObject or a local copy with --archive-dir) and check every
// byte here, in the CLI, so a compliance team does not have to trust the plane's word.
import { Buffer } from "node:buffer"
import { createPrivateKey, createPublicKey } from "node:crypto"
import { createWriteStream, existsSync, readFileSync } from "node:fs"
import { rename, rm } from "node:fs/promises"
import { Effect, Option } from "effect"
import { Command, Flag } from "effect/cli"
import { type Envelope, ISO_8601_WITH_ZONE, type Point } from "../../events/index.ts"
import type { Manifest } from "../../projections/archive/manifest.ts"
import {
  ArchiveError,
  type ArchiveSource,
  archivedEvents,
  checkSignature,
  readManifest,
  verifyArchive
} from "../../projections/archive/verify.ts"
import type { ChainCheck } from "../workspace/chain.ts"
import { archiveSource } from "./archive-source.ts"
import { call } from "./client.ts"
import { newSigningKey } from "./dev-token.ts"
import { ArchiveInvalid, ChainBroken, FileError, isCliFailure, UsageError } from "./errors.ts"
import { CliIo } from "./io.ts"
import { printJson, printLine } from "./output.ts"
import { printableJson } from "./printable.ts"
import { progress } from "./progress.ts"
import { jsonOutput, targetWorkspace } from "./root.ts"

/** A bare integer is a seq; anything else must be an ISO-8601 time with a zone, as the plane requires. */
export const parsePoint = (text: string, flag: string): Point | UsageError => {
  if (/^\d+$/.test(text)) return { seq: Number(text) }
  const ms = Date.parse(text)
  if (!ISO_8601_WITH_ZONE.test(text) || Number.isNaN(ms))
    return new UsageError({ reason: `--${flag}: expected a seq or an ISO-8601 time with a zone, such as 2026-11-25T14:02:00Z; got ${JSON.stringify(text)}` })
  return { time: new Date(ms).toISOString() }
}

const pointFlag = (name: string, description: string) =>
  Flag.String(name).pipe(Flag.withDescription(description), Flag.withMetavar("SEQ|ISO-TIME"), Flag.optional)

export const archiveDirFlag = Flag.Directory("archive-dir", { mustExist: true }).pipe(
  Flag.withDescription("Read a local copy of the R2 bucket (DIR/audit/<workspace>/…) instead of asking the plane"),
  Flag.optional
)

export const publicKeyFlag = Flag.String("public-key").pipe(
  Flag.withDescription("The archive's pinned public key (base64url, or a file holding it); default $BERTH_AUDIT_PUBLIC_KEY"),
  Flag.withMetavar("KEY|FILE"),
  Flag.optional
)

/** What went wrong reading the archive: damage or tampering is ArchiveInvalid; a plane or file failure stays what it is. */
export const toArchiveInvalid = (error: unknown) => {
  if (isCliFailure(error)) return error
  if (error instanceof ArchiveError)
    return new ArchiveInvalid({
      reason: error.message,
      ...(error.firstBadSeq === undefined ? {} : { firstBadSeq: error.firstBadSeq }),
      ...(error.segment === undefined ? {} : { segment: error.segment })
    })
  const code = (error as NodeJS.ErrnoException | null)?.code
  if (typeof code === "string") return new FileError({ path: (error as NodeJS.ErrnoException).path ?? "archive", reason: (error as Error).message })
  return new ArchiveInvalid({ reason: error instanceof Error ? error.message : String(error) })
}

export const fromArchive = <A>(work: () => Promise<A>) => Effect.tryPromise({ try: work, catch: toArchiveInvalid })

/**
 * The public key to trust: --public-key, else $BERTH_AUDIT_PUBLIC_KEY. There is deliberately no
 * fallback to the key the plane reports: that would only prove the archive is the plane's own.
 */
export const trustedKey = (flag: Option.Option<string>) =>
  Effect.gen(function* () {
    const io = yield* CliIo
    const given = Option.getOrUndefined(flag) ?? io.env.BERTH_AUDIT_PUBLIC_KEY
    if (!given)
      return yield* new UsageError({
        reason: "pin the archive's public key: pass --public-key KEY or set BERTH_AUDIT_PUBLIC_KEY (berth audit public-key prints the plane's)"
      })
    return existsSync(given) ? readFileSync(given, "utf8").trim() : given.trim()
  })

/** The manifest, its signature checked against the pinned key. */
export const openArchive = (source: ArchiveSource, workspace: string, publicKey: string) =>
  fromArchive(async () => {
    const manifest = await readManifest(source, workspace)
    await checkSignature(manifest, publicKey)
    return manifest
  })

const lastSeq = (manifest: Manifest) => manifest.segments.at(-1)?.lastSeq ?? 0

const within = (e: Envelope, from: Point | undefined, to: Point | undefined) =>
  (from === undefined || ("seq" in from ? e.seq >= from.seq : e.at >= from.time)) &&
  (to === undefined || ("seq" in to ? e.seq <= to.seq : e.at <= to.time))

const exportCommand = Command.make(
  "export",
  {
    from: pointFlag("from", "First event: a seq, or the first event at or after an ISO-8601 time"),
    to: pointFlag("to", "Last event: a seq, or the last event at or before an ISO-8601 time"),
    output: Flag.String("output").pipe(Flag.withAlias("o"), Flag.withDescription("Write NDJSON here instead of stdout"), Flag.optional),
    archiveDir: archiveDirFlag,
    publicKey: publicKeyFlag
  },
  Effect.fn(function* ({ from, to, output, archiveDir, publicKey }) {
    const workspace = yield* targetWorkspace
    const io = yield* CliIo
    const parse = (flag: string, value: Option.Option<string>) => (Option.isSome(value) ? parsePoint(value.value, flag) : undefined)
    const [start, end] = [parse("from", from), parse("to", to)]
    if (start instanceof UsageError) return yield* start
    if (end instanceof UsageError) return yield* end
    const source = yield* archiveSource(workspace, archiveDir)
    const manifest = yield* openArchive(source, workspace, yield* trustedKey(publicKey))
    const path = Option.getOrUndefined(output)
    // A file is written beside its final name and renamed once every segment checked out, so a
    // failed export never leaves a shorter log that would itself verify as a chain.
    const partial = path === undefined ? undefined : `${path}.partial`
    const file = partial === undefined ? undefined : createWriteStream(partial)
    // An unwritable path fails the export as a FileError (below), not as an unhandled stream error.
    let fileError: Error | undefined
    file?.on("error", (error) => (fileError ??= error))
    const write = (line: string) => (file ? file.write(line) : io.stdout.write(line))
    const bar = progress(io.stderr, "segments", false)
    let written = 0
    const closed = () =>
      new Promise<void>((resolve, reject) => (file ? file.end((error?: Error | null) => (error ? reject(error) : resolve())) : resolve()))
    const exported = fromArchive(async () => {
      const range = {
        ...(start && "seq" in start ? { fromSeq: start.seq } : {}),
        ...(end && "seq" in end ? { toSeq: end.seq } : {}),
        onSegment: (_: unknown, i: number, total: number) => bar.update(i + 1, total)
      }
      for await (const e of archivedEvents(source, manifest, range)) {
        if (fileError) throw fileError
        if (!within(e, start, end)) continue
        // The same JSON whether to a file or the terminal; a raw C1 or bidi control in it becomes a `\uNNNN` escape.
        write(`${printableJson(e)}\n`)
        written++
      }
    })
    const discard = () => closed().catch(() => undefined).then(() => (partial === undefined ? undefined : rm(partial, { force: true })))
    yield* exported.pipe(Effect.tapError(() => Effect.promise(discard)))
    if (partial !== undefined) {
      yield* Effect.tryPromise({
        try: () =>
          closed().then(() => {
            if (fileError) throw fileError
            return rename(partial, path!)
          }),
        catch: (e) => new FileError({ path: path!, reason: e instanceof Error ? e.message : String(e) })
      })
    }
    bar.done(
      `exported ${written} events of ${workspace} from the archive (sealed through seq ${lastSeq(manifest)}; berth audit seal archives newer ones)${path ? ` to ${path}` : ""}`
    )
  })
).pipe(
  Command.withDescription(
    "Stream the workspace's log from the R2 archive as NDJSON, checking the manifest's signature, each segment's sha256 and the chain as it goes"
  ),
  Command.withExamples([
    { command: "berth -w acme audit export -o acme.ndjson", description: "The whole archived log to a file" },
    { command: "berth -w acme audit export --from 2026-11-01T00:00:00Z --to 2026-11-30T23:59:59Z", description: "November's events" }
  ])
)

const verifyCommand = Command.make(
  "verify",
  {
    fromArchive: Flag.Boolean("from-archive").pipe(
      Flag.withDescription("Verify the R2 archive here, in the CLI, against your pinned key (signature, every segment's sha256, the chain across segments) instead of asking the plane about the live log"),
      Flag.withDefault(false)
    ),
    archiveDir: archiveDirFlag,
    publicKey: publicKeyFlag,
    expectHead: Flag.String("expect-head").pipe(
      Flag.withDescription("A head recorded earlier: the archive must hold this seq with this hash (catches a rolled-back archive, and history rewritten and re-signed with the signing key)"),
      Flag.withMetavar("SEQ:HASH"),
      Flag.optional
    )
  },
  Effect.fn(function* ({ fromArchive: useArchive, archiveDir, publicKey, expectHead }) {
    const workspace = yield* targetWorkspace
    const json = yield* jsonOutput
    if (!useArchive && Option.isNone(archiveDir)) {
      const check = (yield* call({ _tag: "VerifyLog", workspace })) as ChainCheck
      if (json) yield* printJson(check)
      if (!check.ok) return yield* new ChainBroken({ firstBadSeq: check.firstBadSeq, reason: check.reason, count: check.count })
      if (!json) yield* printLine(`live log verifies: ${check.count} events, head seq ${check.headSeq}, hash ${check.headHash}`)
      return
    }
    const io = yield* CliIo
    const key = yield* trustedKey(publicKey)
    const expected = Option.getOrUndefined(expectHead)
    const head = expected === undefined ? undefined : /^(\d+):([0-9a-f]{64})$/.exec(expected)
    if (head === null) return yield* new UsageError({ reason: `--expect-head: expected SEQ:HASH (a seq, a colon, 64 hex digits), got ${JSON.stringify(expected)}` })
    const source = yield* archiveSource(workspace, archiveDir)
    const bar = progress(io.stderr, "segments checked", json)
    const options = { onSegment: (_: unknown, i: number, total: number) => bar.update(i + 1, total), ...(head ? { expect: { seq: Number(head[1]), hash: head[2]! } } : {}) }
    const check = yield* Effect.tryPromise({ try: () => verifyArchive(source, workspace, key, options), catch: toArchiveInvalid })
    bar.done("")
    if (json) yield* printJson(check)
    if (!check.ok) {
      const { reason, firstBadSeq, segment } = check
      return yield* new ArchiveInvalid({ reason, ...(firstBadSeq === undefined ? {} : { firstBadSeq }), ...(segment === undefined ? {} : { segment }) })
    }
    if (!json)
      yield* printLine(
        `archive verifies: ${check.segments} segments, ${check.events} events, head seq ${check.headSeq}, hash ${check.headHash}, signed by key ${check.keyId}`
      )
  })
).pipe(
  Command.withDescription(
    "Verify the hash chain (exit 1 when it does not verify). Without --from-archive the plane re-walks its live log, as berth verify does: the plane checking itself. " +
      "With --from-archive or --archive-dir the CLI checks the signed R2 archive against your pinned key, independent of the plane"
  ),
  Command.withExamples([
    { command: "berth -w acme audit verify --from-archive --public-key zFlz…", description: "Check the archive against a pinned key" },
    { command: "BERTH_AUDIT_PUBLIC_KEY=zFlz… berth -w acme audit verify --archive-dir ./bucket-copy", description: "Check a local copy of the bucket, no plane needed" },
    { command: "berth -w acme audit verify --from-archive --expect-head 1200:9f2c…", description: "Also require a head recorded earlier" }
  ])
)

const seal = Command.make(
  "seal",
  {},
  Effect.fn(function* () {
    const workspace = yield* targetWorkspace
    const status = (yield* call({ _tag: "SealArchive", workspace })) as { cursor: number; segments: number; lag: number }
    if (yield* jsonOutput) return yield* printJson(status)
    yield* printLine(`sealed through seq ${status.cursor}: ${status.segments} segments, ${status.lag} events unsealed`)
  })
).pipe(Command.withDescription("Seal everything appended so far into the R2 archive now, rather than at the next N events or T seconds"))

const publicKey = Command.make(
  "public-key",
  {},
  Effect.fn(function* () {
    const key = (yield* call({ _tag: "GetAuditPublicKey" })) as { alg: string; publicKey: string; keyId: string }
    if (yield* jsonOutput) return yield* printJson(key)
    yield* printLine(`${key.publicKey}  (${key.alg}, key id ${key.keyId})`)
  })
).pipe(Command.withDescription("Print the public key that signs archive manifests, to pin for audit verify --public-key"))

const keygen = Command.make(
  "keygen",
  {},
  Effect.fn(function* () {
    const secret = newSigningKey()
    const pub = createPublicKey(createPrivateKey({ key: Buffer.from(secret, "base64"), format: "der", type: "pkcs8" })).export({ format: "jwk" }).x!
    if (yield* jsonOutput) return yield* printJson({ signingKey: secret, publicKey: pub })
    yield* printLine(`BERTH_AUDIT_SIGNING_KEY=${secret}`)
    yield* printLine(`# public key to pin: ${pub}`)
    yield* printLine("# set it with: npx wrangler secret put BERTH_AUDIT_SIGNING_KEY")
  })
).pipe(Command.withDescription("Generate an Ed25519 signing key for the archive (locally; nothing is sent)"))

export const audit = Command.make("audit").pipe(
  Command.withDescription("Compliance: export and verify the signed R2 audit archive, seal it, manage its key"),
  Command.withSubcommands([exportCommand, verifyCommand, seal, publicKey, keygen])
)
