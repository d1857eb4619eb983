// The origin Berth's issuers and resources are named by: the request's own. OAuth 2.1 takes https,
// or plain http on a loopback host (`npm start`); a plane reached any other way offers no OAuth.
import { isLoopbackHostname } from "../auth/loopback.ts"

export const oauthOrigin = (requestUrl: string): string | null => {
  const url = new URL(requestUrl)
  return url.protocol === "https:" || (url.protocol === "http:" && isLoopbackHostname(url.hostname)) ? url.origin : null
}

export const noOAuthHere = () =>
  Response.json(
    { error: "invalid_request", error_description: "OAuth needs https, or plain http on localhost; this plane was reached over plain http" },
    { status: 400 }
  )
