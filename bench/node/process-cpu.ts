// CPU time of the processes in a measurement: this Node process (the MCP client) and the workerd
// processes wrangler started, read from /proc (Linux; elsewhere the CPU columns stay empty).
// Per call, it tells which process the time goes to, which wall-clock latency cannot.
import { existsSync, readdirSync, readFileSync } from "node:fs"

const TICKS_PER_SECOND = 100 // USER_HZ; Linux reports utime/stime in these on every mainstream platform

interface Stat {
  readonly pid: number
  readonly comm: string
  readonly ppid: number
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
      ppid: Number(fields[1]),
      cpuMs: ((Number(fields[11]) + Number(fields[12])) * 1000) / TICKS_PER_SECOND
    }
  } catch {
    return undefined // the process exited between listing and reading
  }
}

const allStats = (): Array<Stat> =>
  readdirSync("/proc")
    .filter((name) => /^\d+$/.test(name))
    .map((name) => readStat(Number(name)))
    .filter((s): s is Stat => s !== undefined)

/** The workerd processes started by `ancestor` or its descendants. */
export const workerdUnder = (ancestor: number): Array<number> => {
  if (!existsSync("/proc/self/stat")) return []
  const stats = allStats()
  const parent = new Map(stats.map((s) => [s.pid, s.ppid]))
  const descends = (pid: number) => {
    for (let p = parent.get(pid); p !== undefined && p > 1; p = parent.get(p)) if (p === ancestor) return true
    return false
  }
  return stats.filter((s) => s.comm === "workerd" && descends(s.pid)).map((s) => s.pid)
}

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
