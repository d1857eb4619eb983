// The per-isolate memory of validated tokens: a yes is remembered (until its expiry at most), a no
// never is, and calls that arrive during one validation share it. The server here is a counting
// stand-in for the provider's, whose real validation the OAuth tests exercise end to end.
import type { OAuthAuthorizationServer, ValidatedAccessToken } from "@cloudflare/workers-oauth-provider"
import { env } from "cloudflare:workers"
import { describe, expect, it } from "vitest"
import type { Env } from "../../src/env.ts"
import { forgetUser, rememberedToken, validateToken } from "../../src/oauth/token-cache.ts"

const counting = (answer: (token: string) => ValidatedAccessToken | null) => {
  let calls = 0
  const server = {
    validateToken: async (_resource: string, token: string) => {
      calls++
      await scheduler.wait(20)
      return answer(token)
    }
  } as unknown as OAuthAuthorizationServer<Env>
  return { server, calls: () => calls }
}

const valid = (userId: string, expiresInSeconds = 3600): ValidatedAccessToken => ({
  props: { agent: "a" },
  audience: "https://berth.test/w/x/mcp",
  expiresAt: Math.floor(Date.now() / 1000) + expiresInSeconds,
  scope: ["mcp"],
  userId,
  clientId: "c"
})

describe("validateToken (cached)", () => {
  it("32 concurrent first calls of one token validate it once; later calls are answered from memory", async () => {
    const token = `u:g:${crypto.randomUUID()}`
    const { server, calls } = counting(() => valid("x/a"))
    const answers = await Promise.all(Array.from({ length: 32 }, () => validateToken(server, "r", token, env, "mcp")))
    expect(answers.every((a) => a?.userId === "x/a")).toBe(true)
    expect(calls()).toBe(1)
    expect(rememberedToken("r", token)?.userId).toBe("x/a")
    await validateToken(server, "r", token, env, "mcp")
    expect(calls()).toBe(1)
    // Another resource is another question.
    expect(rememberedToken("other", token)).toBeUndefined()
  })

  it("a no is never remembered, and forgetting a user drops their tokens", async () => {
    const token = `u:g:${crypto.randomUUID()}`
    let ok = false
    const { server, calls } = counting(() => (ok ? valid("x/b") : null))
    expect(await validateToken(server, "r", token, env, "mcp")).toBeNull()
    ok = true
    expect((await validateToken(server, "r", token, env, "mcp"))?.userId).toBe("x/b")
    expect(calls()).toBe(2)
    forgetUser("x/b")
    expect(rememberedToken("r", token)).toBeUndefined()
  })

  it("a token without the resource's scope is no token, and is not remembered", async () => {
    const token = `u:g:${crypto.randomUUID()}`
    const { server } = counting(() => ({ ...valid("x/d"), scope: ["offline_access"] }))
    expect(await validateToken(server, "r", token, env, "mcp")).toBeNull()
    expect(rememberedToken("r", token)).toBeUndefined()
  })

  it("a token about to expire is remembered no longer than it lives", async () => {
    const token = `u:g:${crypto.randomUUID()}`
    const { server } = counting(() => valid("x/c", -1))
    await validateToken(server, "r", token, env, "mcp")
    expect(rememberedToken("r", token)).toBeUndefined()
  })
})
