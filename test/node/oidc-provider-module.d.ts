// oidc-provider ships no types; the slice of its API the test identity provider uses.
declare module "oidc-provider" {
  import type { IncomingMessage, ServerResponse } from "node:http"

  interface Account {
    readonly accountId: string
    claims(): Promise<Record<string, unknown>>
  }
  interface Configuration {
    readonly features?: Record<string, { readonly enabled: boolean }>
    readonly claims?: Record<string, ReadonlyArray<string>>
    readonly ttl?: Record<string, number>
    readonly findAccount?: (ctx: unknown, sub: string) => Account | Promise<Account | undefined> | undefined
  }
  export default class Provider {
    constructor(issuer: string, configuration?: Configuration)
    callback(): (request: IncomingMessage, response: ServerResponse) => void
  }
}
