// Local development credentials. `npm start` writes a random admin token, a session secret (member
// sign-in), the vault's root key and an Ed25519 archive signing key to .dev.vars (which wrangler dev loads as Worker secrets), and the CLI reads the token
// back when it talks to localhost, so nobody copies a secret by hand. A deployed plane gets both
// from `wrangler secret put` (docs/deployment.md).
import { generateKeyPairSync, randomBytes } from "node:crypto"
import { appendFileSync, existsSync, readFileSync } from "node:fs"
import { join } from "node:path"
import { pathToFileURL } from "node:url"

const TOKEN = "BERTH_ADMIN_TOKEN"
const SIGNING_KEY = "BERTH_AUDIT_SIGNING_KEY"
const SESSION_SECRET = "BERTH_SESSION_SECRET"
const VAULT_KEY = "BERTH_VAULT_KEY"

export const devVarsPath = (dir = process.cwd()) => join(dir, ".dev.vars")

const readDevVar = (name: string, dir: string): string | undefined => {
  const path = devVarsPath(dir)
  if (!existsSync(path)) return undefined
  const line = readFileSync(path, "utf8")
    .split(/\r?\n/)
    .find((l) => l.startsWith(`${name}=`))
  return line?.slice(name.length + 1).trim().replace(/^"(.*)"$/, "$1") || undefined
}

const ensureDevVar = (name: string, make: () => string, dir: string): string => {
  const existing = readDevVar(name, dir)
  if (existing) return existing
  const value = make()
  const path = devVarsPath(dir)
  const prefix = existsSync(path) && !readFileSync(path, "utf8").endsWith("\n") ? "\n" : ""
  appendFileSync(path, `${prefix}${name}=${value}\n`)
  return value
}

/** The admin token in .dev.vars, if there is one. */
export const readDevToken = (dir = process.cwd()): string | undefined => readDevVar(TOKEN, dir)

/** Makes sure .dev.vars holds an admin token; returns it. */
export const ensureDevToken = (dir = process.cwd()): string => ensureDevVar(TOKEN, () => randomBytes(32).toString("base64url"), dir)

/** Makes sure .dev.vars holds the secret that signs member sessions; returns it. */
export const ensureDevSessionSecret = (dir = process.cwd()): string =>
  ensureDevVar(SESSION_SECRET, () => randomBytes(32).toString("base64url"), dir)

/** Makes sure .dev.vars holds the vault's root key (src/vault/crypto.ts); returns it. */
export const ensureDevVaultKey = (dir = process.cwd()): string => ensureDevVar(VAULT_KEY, () => randomBytes(32).toString("base64url"), dir)

/** A new Ed25519 private key as base64 PKCS#8, the form BERTH_AUDIT_SIGNING_KEY takes. */
export const newSigningKey = (): string =>
  generateKeyPairSync("ed25519").privateKey.export({ format: "der", type: "pkcs8" }).toString("base64")

/** Makes sure .dev.vars holds an archive signing key; returns it. */
export const ensureDevSigningKey = (dir = process.cwd()): string => ensureDevVar(SIGNING_KEY, newSigningKey, dir)

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  ensureDevToken()
  ensureDevSessionSecret()
  ensureDevVaultKey()
  ensureDevSigningKey()
  console.error(
    "berth: the admin token, the session secret, the vault key and the archive signing key are in .dev.vars; the berth CLI reads the token from there when BERTH_URL is local"
  )
}
