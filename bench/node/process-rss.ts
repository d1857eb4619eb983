// The resident memory of a process, read from /proc/<pid>/status (Linux only; elsewhere undefined):
// how `npm run soak` watches the plane's workerd for growth under load. RSS splits into anonymous
// memory (heaps, the allocator's arenas) and file-backed pages (mapped files, such as SQLite's
// databases when mapped), which the kernel may reclaim: a leak shows in the first.
import { readFileSync } from "node:fs"

export interface Rss {
  readonly bytes: number
  readonly anonBytes: number
  readonly fileBytes: number
  readonly shmemBytes: number
}

/** VmRSS of `pid` and its parts in bytes, or undefined when there is no such process or no /proc. */
export const rssOf = (pid: number | undefined): Rss | undefined => {
  if (pid === undefined) return undefined
  let status: string
  try {
    status = readFileSync(`/proc/${pid}/status`, "utf8")
  } catch {
    return undefined // gone, or not ours to read
  }
  const field = (name: string) => {
    const kB = new RegExp(`^${name}:\\s+(\\d+) kB$`, "m").exec(status)?.[1]
    return kB === undefined ? undefined : Number(kB) * 1024
  }
  const bytes = field("VmRSS")
  if (bytes === undefined) return undefined
  return { bytes, anonBytes: field("RssAnon") ?? bytes, fileBytes: field("RssFile") ?? 0, shmemBytes: field("RssShmem") ?? 0 }
}
