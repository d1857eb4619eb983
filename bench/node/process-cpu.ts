// CPU time of the processes in a measurement: this Node process (the MCP client) and the workerd
// processes wrangler started (found by the port they serve), read from /proc (Linux only; elsewhere
// the CPU columns stay empty).
// Per call, it tells which process the time goes to, which wall-clock latency cannot.
import { existsSync, readdirSync, readFileSync, readlinkSync } from "node:fs"

const TICKS_PER_SECOND = 100 // USER_HZ; Linux reports utime/stime in these on every mainstream platform

interface Stat {
  readonly pid: number
  readonly comm: string
  readonly cpuMs: number
}

const readStat = (pid: number): Stat | undefined => {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, "utf8")
    // comm is parenthesised and may hold spaces; the fields after it are space-separated.
    const close = text.lastIndexOf(")")
    const fields = text.slice(close + 2).split(" ")
    return {
      pid,
      comm: text.slice(text.indexOf("(") + 1, close),
      cpuMs: ((Number(fields[11]) + Number(fields[12])) * 1000) / TICKS_PER_SECOND
    }
  } catch {
    return undefined // the process exited between listing and reading
  }
}

const allStats = (): Array<Stat> =>
  (existsSync("/proc/self/stat") ? readdirSync("/proc") : [])
    .filter((name) => /^\d+$/.test(name))
    .map((name) => readStat(Number(name)))
    .filter((s): s is Stat => s !== undefined)

const cpuOf = (pids: ReadonlyArray<number>) => pids.reduce((sum, pid) => sum + (readStat(pid)?.cpuMs ?? 0), 0)

export interface CpuGroups {
  readonly [group: string]: ReadonlyArray<number>
}

/** Starts a CPU reading of this process and of each group of pids; `stop` returns ms per group. */
export const cpuMeter = (groups: CpuGroups) => {
  const self0 = process.cpuUsage()
  const start = Object.fromEntries(Object.entries(groups).map(([name, pids]) => [name, cpuOf(pids)]))
  return {
    stop: (): Record<string, number> => {
      const self = process.cpuUsage(self0)
      return {
        client: (self.user + self.system) / 1000,
        ...Object.fromEntries(Object.entries(groups).map(([name, pids]) => [name, cpuOf(pids) - start[name]!]))
      }
    }
  }
}

const listeningInodes = (port: number): Set<string> => {
  const inodes = new Set<string>()
  for (const table of ["/proc/net/tcp", "/proc/net/tcp6"]) {
    if (!existsSync(table)) continue
    for (const line of readFileSync(table, "utf8").split("\n").slice(1)) {
      const f = line.trim().split(/\s+/)
      // f[1] is local address:port in hex, f[3] the state (0A = LISTEN), f[9] the socket inode.
      if (f[3] === "0A" && parseInt(f[1]!.split(":").at(-1)!, 16) === port) inodes.add(f[9]!)
    }
  }
  return inodes
}

/** The workerd process listening on `port` (the one serving a URL wrangler returned), if any. */
export const workerdListeningOn = (port: number): number | undefined => {
  const inodes = listeningInodes(port)
  if (inodes.size === 0) return undefined
  for (const stat of allStats()) {
    if (stat.comm !== "workerd") continue
    try {
      for (const fd of readdirSync(`/proc/${stat.pid}/fd`)) {
        const inode = /^socket:\[(\d+)\]$/.exec(readlinkSafe(`/proc/${stat.pid}/fd/${fd}`))?.[1]
        if (inode && inodes.has(inode)) return stat.pid
      }
    } catch {
      // not ours to read, or gone
    }
  }
  return undefined
}

const readlinkSafe = (path: string) => {
  try {
    return readlinkSync(path)
  } catch {
    return ""
  }
}
