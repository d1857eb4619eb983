// Finds a secret carried in a plugin URL: userinfo, or a query or fragment parameter whose name looks
// like a secret's. The URL is recorded in the log, the D1 read models and the signed archive, none
// of which is ever rewritten, so such a URL is refused (DESIGN invariant 6); secrets go in the vault.

/** Where the secret is: the userinfo, or a parameter named by its name (never by its value). */
export type SecretInUrl =
  | { readonly part: "userinfo" }
  | { readonly part: "query" | "fragment"; readonly parameter: string }

// A name is secret-like when one of its words is one of WORDS, or when the name, lowercased with
// its separators dropped, contains one of STEMS. Short words match only whole, so `monkey`,
// `keyword`, `signal`, `author` and `passenger` pass, while `api_key`, `x-api-key` and `authKey` do not.
// `code` is not on the list: an OAuth code is single-use and already spent, and `code` names many
// ordinary things (a language, a country). The rule errs toward refusing: `sort_key` is refused too.
const WORDS = new Set(["key", "keys", "sig", "auth", "pwd", "pass", "pw", "otp"])
const STEMS = [
  "token",
  "secret",
  "passw", // password, passwd
  "passphrase",
  "credential",
  "signature",
  "authorization",
  "jwt",
  "bearer",
  "session",
  "cookie",
  "hmac",
  "apikey",
  "accesskey",
  "privatekey",
  "authkey",
  "appkey",
  "clientkey",
  "accountkey",
  "subscriptionkey",
  "signingkey",
  "masterkey"
]

/** The words of a parameter name: split at anything not a letter or digit, and at camelCase humps. */
const words = (name: string) =>
  name
    .replace(/([a-z0-9])([A-Z])/g, "$1 $2")
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter((w) => w !== "")

export const looksLikeSecretName = (name: string): boolean => {
  if (words(name).some((w) => WORDS.has(w))) return true
  const joined = name.toLowerCase().replace(/[^a-z0-9]/g, "")
  return STEMS.some((stem) => joined.includes(stem))
}

const secretParameter = (params: URLSearchParams) => {
  for (const name of params.keys()) if (looksLikeSecretName(name)) return name
  return undefined
}

/** The first place a URL carries a secret, or undefined when it carries none that a name betrays. */
export const secretInUrl = (url: string): SecretInUrl | undefined => {
  if (!URL.canParse(url)) return undefined
  const parsed = new URL(url)
  if (parsed.username !== "" || parsed.password !== "") return { part: "userinfo" }
  const inQuery = secretParameter(parsed.searchParams)
  if (inQuery !== undefined) return { part: "query", parameter: inQuery }
  // A fragment never reaches the upstream, but it is recorded all the same (`#access_token=…`).
  const inFragment = secretParameter(new URLSearchParams(parsed.hash.slice(1)))
  if (inFragment !== undefined) return { part: "fragment", parameter: inFragment }
  return undefined
}
