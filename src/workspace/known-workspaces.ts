// Whether a workspace exists, asked of the directory before any Durable Object is reached, so a
// stranger's slug wakes nothing and stores nothing. Answers are cached per isolate, positives only.
//
// On Cloudflare, KV is eventually consistent across locations: a brand-new workspace may 404 at a
// far location for up to KV's propagation time (about a minute). In the isolate that created it, and
// wherever its object has written the entry, it is found at once.
import type { Env } from "../env.ts"

/** Workspaces are never deleted, so a yes holds for the isolate's life; it grows only with real workspaces. */
const known = new Set<string>()

/**
 * Noes are not kept in memory: random slugs would grow it without bound. KV caches a miss at the
 * edge for its default cacheTtl, so repeated strangers cost a cached read.
 */
export const workspaceExists = async (env: Pick<Env, "DIRECTORY">, slug: string): Promise<boolean> => {
  if (known.has(slug)) return true
  // The entry's value is "" (its fields ride in the metadata): only null means absent.
  if ((await env.DIRECTORY.get(`workspace:${slug}`)) === null) return false
  known.add(slug)
  return true
}

/** After CreateWorkspace succeeds here: the creator's next request in this isolate must not be refused. */
export const markWorkspaceExists = (slug: string): void => {
  known.add(slug)
}
