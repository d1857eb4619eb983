// The admin bearer token check. Compares digests in constant time, and refuses everyone when no
// token is configured: a deployed plane has no default token to guess.
const digest = async (text: string) => crypto.subtle.digest("SHA-256", new TextEncoder().encode(text))

export const isAdminToken = async (request: Request, configured: string | undefined): Promise<boolean> => {
  if (!configured) return false
  const header = request.headers.get("authorization") ?? ""
  const match = /^Bearer\s+(\S+)$/i.exec(header)
  if (!match) return false
  const [given, expected] = await Promise.all([digest(match[1]!), digest(configured)])
  return crypto.subtle.timingSafeEqual(given, expected)
}
