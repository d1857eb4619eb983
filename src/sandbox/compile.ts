// Submitted code to the module the isolate loads: TypeScript is stripped by sucrase (a maintained
// transpiler that runs in workerd: no Node, no wasm), JavaScript goes through the same parser, so a
// syntax error in either comes back with its line and column before anything runs. Line numbers are
// kept, so a runtime error's line is the submitted code's.
import { transform } from "sucrase"
import { ScriptSyntaxError, ScriptTooLarge } from "./errors.ts"

/** 256 KiB of source: a script is glue around primitives, not a bundle. */
export const MAX_CODE_BYTES = 256 * 1024

const utf8 = new TextEncoder()

export interface CompiledScript {
  /** The module, as the isolate loads it. */
  readonly js: string
  /** The submitted source's size in bytes (what is hashed and kept). */
  readonly bytes: number
}

/** sucrase reports `(line:column)` in the message and, when it has one, `loc`. */
const located = (error: unknown): { line: number; column: number; reason: string } => {
  const message = error instanceof Error ? error.message : String(error)
  const loc = (error as { loc?: { line?: number; column?: number } }).loc
  const fromText = /\((\d+):(\d+)\)\s*$/.exec(message)
  const reason = message.replace(/^Error transforming [^:]*:\s*/, "").replace(/\s*\(\d+:\d+\)\s*$/, "")
  return { line: loc?.line ?? Number(fromText?.[1] ?? 1), column: loc?.column ?? Number(fromText?.[2] ?? 1), reason }
}

export const compileScript = (source: string, file: string): CompiledScript | ScriptSyntaxError | ScriptTooLarge => {
  const bytes = utf8.encode(source).byteLength
  if (bytes > MAX_CODE_BYTES) return new ScriptTooLarge({ bytes, limit: MAX_CODE_BYTES })
  try {
    const { code } = transform(source, { transforms: ["typescript"], disableESTransforms: true, keepUnusedImports: true, filePath: file })
    return { js: code, bytes }
  } catch (error) {
    return new ScriptSyntaxError({ file, ...located(error) })
  }
}

/**
 * A syntax error the isolate found when it started the module (sucrase's parser is lenient about a
 * few), as workerd words it: `Uncaught SyntaxError: … at script.js:1:25`.
 */
export const startupSyntaxError = (error: unknown, file: string, module: string): ScriptSyntaxError | undefined => {
  const message = error instanceof Error ? error.message : String(error)
  const found = /SyntaxError: ([^\n]*)\n?\s*at ([^\s:]+):(\d+):(\d+)/.exec(message)
  if (!found || found[2] !== module) return undefined
  return new ScriptSyntaxError({ file, line: Number(found[3]), column: Number(found[4]), reason: found[1]! })
}
