// What a code run may use. The defaults are the workspace's; a run may ask for a shorter wall time,
// never a longer one.
export interface CodeLimits {
  /** Wall time, enforced by the plane: the run ends `timeout` and the script is cancelled with its call. */
  readonly wallMs: number
  /** CPU time, enforced by the runtime where it offers it (Cloudflare; not open-source workerd). */
  readonly cpuMs: number
  /** The result's size as JSON. */
  readonly resultBytes: number
  /** Calls to orbit primitives (tools, memory). */
  readonly primitiveCalls: number
}

export const DEFAULT_CODE_LIMITS: CodeLimits = {
  wallMs: 30_000,
  cpuMs: 10_000,
  resultBytes: 256 * 1024,
  primitiveCalls: 1_000
}

/** What a workspace may set each limit to (SetCodeLimits). */
export const CODE_LIMIT_RANGES: { readonly [K in keyof CodeLimits]: { readonly minimum: number; readonly maximum: number } } = {
  wallMs: { minimum: 100, maximum: 300_000 },
  cpuMs: { minimum: 10, maximum: 300_000 },
  resultBytes: { minimum: 1, maximum: 4 * 1024 * 1024 },
  primitiveCalls: { minimum: 1, maximum: 10_000 }
}

/** The workspace's limits: the ones it set, or the defaults. */
export const workspaceLimits = (workspace: { readonly codeLimits?: CodeLimits | undefined } | null): CodeLimits =>
  workspace?.codeLimits ?? DEFAULT_CODE_LIMITS

/** console output kept per run; past it the rest is dropped and the run says so. */
export const LOG_BYTES = 64 * 1024

/** The input a run is handed, as JSON. */
export const MAX_INPUT_BYTES = 256 * 1024

/** The limits of one run: the workspace's, with the wall time shortened to `timeoutMs` when asked. */
export const limitsFor = (timeoutMs: number | undefined, base: CodeLimits = DEFAULT_CODE_LIMITS): CodeLimits =>
  timeoutMs === undefined ? base : { ...base, wallMs: Math.min(base.wallMs, timeoutMs) }

/** Why `timeoutMs` is refused, or undefined. */
export const timeoutRule = (timeoutMs: unknown, base: CodeLimits = DEFAULT_CODE_LIMITS): string | undefined =>
  timeoutMs === undefined || (Number.isInteger(timeoutMs) && (timeoutMs as number) >= 1 && (timeoutMs as number) <= base.wallMs)
    ? undefined
    : `timeoutMs is a whole number of milliseconds from 1 to ${base.wallMs}`
