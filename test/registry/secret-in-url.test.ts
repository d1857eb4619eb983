// The rule that keeps secrets out of plugin URLs: userinfo, or a parameter named like a secret, in
// the query or the fragment. Names only: a value is never looked at, and never reported.
import { describe, expect, it } from "vitest"
import { looksLikeSecretName, secretInUrl } from "../../src/registry/secret-in-url.ts"

describe("looksLikeSecretName", () => {
  it.each([
    "token", "access_token", "refresh-token", "authToken", "X-Amz-Security-Token",
    "key", "keys", "api_key", "apikey", "apiKey", "APIKey", "x-api-key", "access_key", "AWSAccessKeyId", "private_key", "subscription-key",
    "secret", "client_secret", "clientSecret",
    "password", "passwd", "pwd", "pass", "passphrase",
    "sig", "signature", "X-Amz-Signature", "X-Goog-Signature",
    "auth", "authorization", "Authorization",
    "credential", "credentials", "X-Amz-Credential",
    "session", "sessionid", "session_id", "jwt", "bearer", "cookie", "hmac", "otp"
  ])("%s looks like a secret", (name) => expect(looksLikeSecretName(name)).toBe(true))

  it.each([
    "region", "monkey", "keyword", "keyboard", "hockey", "author", "authority", "signal", "design", "passenger", "compass",
    "code", "state", "client_id", "workspace", "format", "v", "lang", "page", ""
  ])("%j does not", (name) => expect(looksLikeSecretName(name)).toBe(false))
})

describe("secretInUrl", () => {
  it.each([
    ["https://user:pass@mcp.example.com/mcp", { part: "userinfo" }],
    ["https://ghp_abc123@mcp.example.com/mcp", { part: "userinfo" }],
    ["https://:pass@mcp.example.com/mcp", { part: "userinfo" }],
    ["https://mcp.example.com/mcp?api_key=sk-live-123", { part: "query", parameter: "api_key" }],
    ["https://mcp.example.com/mcp?region=eu&token=abc", { part: "query", parameter: "token" }],
    ["https://bucket.s3.example.com/mcp?X-Amz-Date=1&X-Amz-Signature=f00d", { part: "query", parameter: "X-Amz-Signature" }],
    ["https://mcp.example.com/mcp?api%5Fkey=x", { part: "query", parameter: "api_key" }],
    ["https://mcp.example.com/mcp?token=", { part: "query", parameter: "token" }],
    ["https://mcp.example.com/mcp#access_token=abc&state=1", { part: "fragment", parameter: "access_token" }]
  ])("%s carries a secret", (url, found) => expect(secretInUrl(url)).toEqual(found))

  it.each([
    "https://mcp.example.com/mcp",
    "https://mcp.example.com/mcp?region=eu",
    "http://localhost:8788/sse?workspace=acme&format=json",
    "https://mcp.example.com/mcp#section",
    "not a url"
  ])("%s carries none", (url) => expect(secretInUrl(url)).toBeUndefined())
})
