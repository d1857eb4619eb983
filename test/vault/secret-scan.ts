// Looks for secrets everywhere a workspace keeps or sends data: every table of its Durable Object's
// SQLite, the D1 read models, the R2 archive objects (unzipped), and any text the test collected (the
// log, spans, answers, error messages). Each secret is looked for plain, base64, base64url and URL-encoded.
import { Buffer } from "node:buffer"
import { gunzipSync } from "node:zlib"
import { env } from "cloudflare:workers"
import { sqlIn } from "../workspace/workspace-client.ts"

export const forms = (secret: string): Array<string> => {
  const bytes = Buffer.from(secret, "utf8")
  return [...new Set([secret, bytes.toString("base64"), bytes.toString("base64url"), encodeURIComponent(secret)])]
}

const textOf = (value: unknown): string =>
  value instanceof ArrayBuffer ? Buffer.from(value).toString("latin1") : typeof value === "string" ? value : JSON.stringify(value ?? null)

/** Where each form of each secret was found: empty when there is no leak. */
export const hits = (haystack: string, secrets: ReadonlyArray<string>, where: string): Array<string> =>
  secrets.flatMap((s) => forms(s).filter((f) => haystack.includes(f)).map(() => `${where}: a form of a secret`))

/** Every row of every table in the workspace's object. Returns the tables scanned too, so a test can see it scanned some. */
export const scanWorkspaceSqlite = async (slug: string, secrets: ReadonlyArray<string>) => {
  const tables = (await sqlIn<{ name: string }>(slug, "SELECT name FROM sqlite_master WHERE type = 'table'")).map((t) => t.name)
  const found: Array<string> = []
  const scanned: Array<string> = []
  for (const table of tables) {
    let rows: Array<Record<string, SqlStorageValue>>
    try {
      rows = await sqlIn(slug, `SELECT * FROM "${table}"`)
    } catch {
      continue // workerd keeps its own _cf_ tables from user SQL
    }
    scanned.push(table)
    for (const row of rows) found.push(...hits(Object.values(row).map(textOf).join("\n"), secrets, `sqlite ${table}`))
  }
  return { found, scanned }
}

export const scanD1 = async (secrets: ReadonlyArray<string>) => {
  const tables = (await env.READ_MODELS.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE '_cf_%' AND name NOT LIKE 'sqlite_%'").all<{ name: string }>()).results
  const found: Array<string> = []
  for (const { name } of tables) {
    const { results } = await env.READ_MODELS.prepare(`SELECT * FROM "${name}"`).all()
    found.push(...hits(results.map((r) => Object.values(r).map(textOf).join("\n")).join("\n"), secrets, `d1 ${name}`))
  }
  return { found, tables: tables.length }
}

export const scanArchive = async (slug: string, secrets: ReadonlyArray<string>) => {
  const keys = (await env.AUDIT.list({ prefix: `audit/${slug}/` })).objects.map((o) => o.key)
  const found: Array<string> = []
  for (const key of keys) {
    const bytes = Buffer.from(await (await env.AUDIT.get(key))!.arrayBuffer())
    const text = key.endsWith(".gz") ? gunzipSync(bytes).toString("utf8") : bytes.toString("utf8")
    found.push(...hits(text, secrets, `r2 ${key}`))
  }
  return { found, objects: keys.length }
}
