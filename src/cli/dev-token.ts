// Local development credentials. `npm start` writes a random admin token to .dev.vars (which
// wrangler dev loads as a Worker secret), and the CLI reads it back when it talks to localhost,
// so nobody copies a secret by hand. A deployed plane gets its token from `wrangler secret put`.
import { randomBytes } from "node:crypto"
import { appendFileSync, existsSync, readFileSync } from "node:fs"
import { join } from "node:path"
import { pathToFileURL } from "node:url"

const KEY = "BERTH_ADMIN_TOKEN"

export const devVarsPath = (dir = process.cwd()) => join(dir, ".dev.vars")

/** The admin token in .dev.vars, if there is one. */
export const readDevToken = (dir = process.cwd()): string | undefined => {
  const path = devVarsPath(dir)
  if (!existsSync(path)) return undefined
  const line = readFileSync(path, "utf8")
    .split(/\r?\n/)
    .find((l) => l.startsWith(`${KEY}=`))
  return line?.slice(KEY.length + 1).trim().replace(/^"(.*)"$/, "$1") || undefined
}

/** Makes sure .dev.vars holds an admin token; returns it. */
export const ensureDevToken = (dir = process.cwd()): string => {
  const existing = readDevToken(dir)
  if (existing) return existing
  const token = randomBytes(32).toString("base64url")
  const path = devVarsPath(dir)
  const prefix = existsSync(path) && !readFileSync(path, "utf8").endsWith("\n") ? "\n" : ""
  appendFileSync(path, `${prefix}${KEY}=${token}\n`)
  return token
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  ensureDevToken()
  console.error("berth: admin token is in .dev.vars; the berth CLI reads it from there when BERTH_URL is local")
}
