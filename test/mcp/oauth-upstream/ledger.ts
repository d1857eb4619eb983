// What the OAuth test upstream issued and saw, in module memory (wrangler dev runs one isolate), so
// tests can search Berth's storage for every secret it was ever handed and count what reached it.
// Each record keeps the client it belongs to: test files share this server and filter by client.

type Issued = { kind: "access" | "refresh" | "secret"; value: string; clientId: string }

const issued: Issued[] = []
const clientIds: string[] = []
/** Access tokens shorter-lived than the provider allows (its floor is 60 s): token → deadline, ms. */
const deadlines = new Map<string, number>()
/** The client each issued access token belongs to, to attribute what /mcp sees. */
const tokenClients = new Map<string, string>()

type McpRequest = { bearer: string | null; clientId: string | undefined }
type TokenRequest = { grant_type: string; client_id: string; status: number }

const seen = { mcp: [] as McpRequest[], tokenRequests: [] as TokenRequest[], revocations: 0 }

/** One pending rejection of an /mcp request; `clientId` narrows it to that client's bearers. */
let rejectNext: { clientId: string | undefined } | undefined

export const recordClient = (clientId: string, secret: string | undefined) => {
  clientIds.push(clientId)
  if (secret) issued.push({ kind: "secret", value: secret, clientId })
}

export const recordTokens = (clientId: string, tokens: { access: string; refresh?: string | undefined; deadline?: number | undefined }) => {
  issued.push({ kind: "access", value: tokens.access, clientId })
  if (tokens.refresh) issued.push({ kind: "refresh", value: tokens.refresh, clientId })
  tokenClients.set(tokens.access, clientId)
  if (tokens.deadline !== undefined) deadlines.set(tokens.access, tokens.deadline)
}

export const recordTokenRequest = (request: TokenRequest) => seen.tokenRequests.push(request)
export const recordRevocation = () => seen.revocations++

/** Records an /mcp request and answers whether it may pass: not if a rejection is pending, nor if its token is past its deadline. */
export const admitMcp = (bearer: string | null): boolean => {
  const clientId = bearer === null ? undefined : tokenClients.get(bearer)
  seen.mcp.push({ bearer, clientId })
  if (rejectNext && (rejectNext.clientId === undefined || rejectNext.clientId === clientId)) {
    rejectNext = undefined
    return false
  }
  const deadline = bearer === null ? undefined : deadlines.get(bearer)
  return deadline === undefined || Date.now() < deadline
}

export const armRejectNext = (clientId: string | undefined) => {
  rejectNext = { clientId }
}

const values = (kind: Issued["kind"], clientId: string | undefined) =>
  issued.filter((i) => i.kind === kind && (clientId === undefined || i.clientId === clientId)).map((i) => i.value)

export const issuedView = (clientId?: string) => ({
  accessTokens: values("access", clientId),
  refreshTokens: values("refresh", clientId),
  clientSecrets: values("secret", clientId),
  clientIds: clientId === undefined ? [...clientIds] : clientIds.filter((id) => id === clientId)
})

export const requestsView = (clientId?: string) => {
  const mcp = seen.mcp.filter((r) => clientId === undefined || r.clientId === clientId)
  return {
    mcp: mcp.length,
    tokenRequests: seen.tokenRequests.filter((r) => clientId === undefined || r.client_id === clientId),
    bearers: mcp.flatMap((r) => (r.bearer === null ? [] : [r.bearer])),
    revocations: seen.revocations
  }
}

/** Zeroes the counters and drops a pending rejection; what was issued stays on record. */
export const resetSeen = () => {
  seen.mcp.length = 0
  seen.tokenRequests.length = 0
  seen.revocations = 0
  rejectNext = undefined
}
