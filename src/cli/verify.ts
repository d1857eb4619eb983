// `berth verify`: asks the plane to re-walk the workspace's hash chain, so it is the plane checking
// itself. Exit 0 when it holds, 1 when it is broken (the failure names the first bad seq and why).
import { Effect } from "effect"
import { Command } from "effect/cli"
import type { ChainCheck } from "../workspace/chain.ts"
import { call } from "./client.ts"
import { ChainBroken } from "./errors.ts"
import { printJson, printLine } from "./output.ts"
import { jsonOutput, targetWorkspace } from "./root.ts"

export const verify = Command.make(
  "verify",
  {},
  Effect.fn(function* () {
    const workspace = yield* targetWorkspace
    const check = (yield* call({ _tag: "VerifyLog", workspace })) as ChainCheck
    if (yield* jsonOutput) yield* printJson(check)
    if (!check.ok) return yield* new ChainBroken({ firstBadSeq: check.firstBadSeq, reason: check.reason, count: check.count })
    if (!(yield* jsonOutput))
      yield* printLine(`chain holds: ${check.count} events, head seq ${check.headSeq}, hash ${check.headHash}`)
  })
).pipe(
  Command.withDescription(
    "Ask the plane to re-walk the workspace's hash chain (exit 0 when it holds, 1 when broken). This is the plane checking itself; " +
      "for a check that does not trust it, use berth audit verify --from-archive with a pinned key and --expect-head"
  )
)
