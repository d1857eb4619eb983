// Access tokens the provider has validated, remembered per isolate for a short while, so a docked
// agent's every call does not read OAUTH_KV and decrypt its grant again (the hop's budget is a few
// percent; docs/benchmarks.md). A revoked agent is still refused at once: its workspace checks the
// agent's status on every request. A token revoked at the token endpoint is forgotten here within
// TTL_MS, or sooner once the isolate drops it.
import type { OAuthAuthorizationServer, ValidatedAccessToken } from "@cloudflare/workers-oauth-provider"
import type { Env } from "../env.ts"

const TTL_MS = 30_000
const MAX_ENTRIES = 4096

interface Entry {
  readonly token: ValidatedAccessToken
  readonly until: number
}

const validated = new Map<string, Entry>()
const validating = new Map<string, Promise<ValidatedAccessToken | null>>()

/** What `validateToken` said yes to for `resource` in the last TTL_MS, or undefined: no I/O, no await. */
export const rememberedToken = <Props>(resource: string, token: string): ValidatedAccessToken<Props> | undefined => {
  const hit = validated.get(`${resource} ${token}`)
  return hit && hit.until > Date.now() ? (hit.token as ValidatedAccessToken<Props>) : undefined
}

/**
 * `server.validateToken(resource, token)` for a token that carries `scope`, answered from memory when
 * it said yes in the last TTL_MS. A token without the scope is no token here (the provider only
 * advertises a resource's scopes; it does not check them).
 */
export const validateToken = async <Props>(
  server: OAuthAuthorizationServer<Env>,
  resource: string,
  token: string,
  env: Env,
  scope: string
): Promise<ValidatedAccessToken<Props> | null> => {
  const key = `${resource} ${token}`
  const now = Date.now()
  const hit = validated.get(key)
  if (hit && hit.until > now) return hit.token as ValidatedAccessToken<Props>
  if (hit) validated.delete(key)
  // Calls that arrive while one validation of this token is under way share it (one KV read).
  let pending = validating.get(key)
  if (!pending) {
    pending = server.validateToken(resource, token, env).finally(() => validating.delete(key))
    validating.set(key, pending)
  }
  const fresh = await pending
  // A "no" is not remembered: a token issued a moment ago must work on its first call.
  if (fresh === null || !fresh.scope.includes(scope)) return null
  if (!validated.has(key)) {
    if (validated.size >= MAX_ENTRIES) validated.delete(validated.keys().next().value!)
    validated.set(key, { token: fresh, until: Math.min(now + TTL_MS, fresh.expiresAt * 1000) })
  }
  return fresh as ValidatedAccessToken<Props>
}

/** Forgets every remembered token of one grant's user (an agent revoked here, a member signed out). */
export const forgetUser = (userId: string): void => {
  for (const [key, entry] of validated) if (entry.token.userId === userId) validated.delete(key)
}
