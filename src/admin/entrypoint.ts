// AdminApi: the admin RPC over a Workers service binding. Holding the binding is the credential, like
// the admin token, so there is no token here; requests and answers are exactly those of POST /admin/rpc.
// A fronting Worker that has signed a member in passes `{ member }`, and acts with that member's role.
import { Cause, Exit, Schema } from "effect"
import { WorkerEntrypoint } from "cloudflare:workers"
import { type Actor, MemberId } from "../../events/index.ts"
import type { Env } from "../env.ts"
import { describeSchemaError } from "../workspace/invalid-command.ts"
import { type AdminResponse, dispatch } from "./dispatch.ts"
import { InvalidRequest } from "./errors.ts"

/** On whose behalf the calling Worker asks: nobody (the binding's own authority) or one member. */
const OnBehalfOf = Schema.UndefinedOr(Schema.Struct({ member: Schema.optional(MemberId) }))

export class AdminApi extends WorkerEntrypoint<Env> {
  async rpc(request: unknown, onBehalfOf?: { readonly member?: string }): Promise<AdminResponse> {
    const caller = Schema.decodeUnknownExit(OnBehalfOf)(onBehalfOf, { onExcessProperty: "error" })
    if (Exit.isFailure(caller)) {
      const error = new InvalidRequest(describeSchemaError(Cause.squash(caller.cause) as Schema.SchemaError))
      return { ok: false, error: { ...error, _tag: error._tag, message: error.message } as never }
    }
    const member = caller.value?.member
    const actor: Actor = member === undefined ? { type: "admin", id: "service-binding" } : { type: "member", id: member }
    return dispatch(this.env, request, actor)
  }
}
