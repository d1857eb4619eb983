// Where the CLI reads the audit archive from: the plane's ReadArchiveObject (which reads R2 and
// never the workspace's Durable Object), or a local copy of the bucket (--archive-dir), which
// needs no plane at all. Either way the CLI checks every byte itself (projections/archive/verify.ts).
import { Buffer } from "node:buffer"
import { readFile } from "node:fs/promises"
import { join, resolve } from "node:path"
import { Effect, Option } from "effect"
import type { ArchiveSource } from "../../projections/archive/verify.ts"
import { call } from "./client.ts"
import { PlaneRejected } from "./errors.ts"
import { CliIo } from "./io.ts"

/** `--archive-dir DIR`: DIR holds the bucket's keys as paths (DIR/audit/<workspace>/…), as `rclone sync` or `aws s3 sync` leave them. */
export const directorySource = (dir: string): ArchiveSource => ({
  read: async (key) => {
    try {
      return new Uint8Array(await readFile(join(resolve(dir), key)))
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") return null
      throw error
    }
  }
})

/** Objects fetched through the admin API; a missing object is null, any other failure is thrown as the CLI failure it is. */
export const planeSource = (workspace: string) =>
  Effect.gen(function* () {
    const context = yield* Effect.context<CliIo>()
    const run = Effect.runPromiseWith(context)
    return {
      read: (key: string) =>
        run(
          call({ _tag: "ReadArchiveObject", workspace, key }).pipe(
            Effect.map((r) => new Uint8Array(Buffer.from((r as { base64: string }).base64, "base64"))),
            Effect.catchIf(
              (e) => e instanceof PlaneRejected && e.error._tag === "ArchiveObjectNotFound",
              () => Effect.succeed(null)
            )
          )
        )
    } satisfies ArchiveSource
  })

export const archiveSource = (workspace: string, dir: Option.Option<string>) =>
  Option.match(dir, { onNone: () => planeSource(workspace), onSome: (d) => Effect.succeed(directorySource(d)) })
