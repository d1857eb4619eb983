// AdminApi: the admin RPC over a Workers service binding. Holding the binding is the credential,
// so there is no token here; requests and answers are exactly those of POST /admin/rpc.
import { WorkerEntrypoint } from "cloudflare:workers"
import type { Env } from "../env.ts"
import { type AdminResponse, dispatch } from "./dispatch.ts"

export class AdminApi extends WorkerEntrypoint<Env> {
  async rpc(request: unknown): Promise<AdminResponse> {
    return dispatch(this.env, request, { type: "admin", id: "service-binding" })
  }
}
