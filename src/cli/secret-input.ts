// Reading a credential's value in the CLI: from piped stdin, or from a prompt that echoes nothing
// when stdin is a terminal. Never from argv, where a value would reach shell history and `ps`.
import { Effect } from "effect"
import { UsageError } from "./errors.ts"
import { CliIo, type SecretSource } from "./io.ts"

const readAll = async (stream: NodeJS.ReadStream): Promise<string> => {
  const chunks: Array<Buffer> = []
  for await (const chunk of stream) chunks.push(typeof chunk === "string" ? Buffer.from(chunk) : chunk)
  return Buffer.concat(chunks).toString("utf8")
}

/** Raw mode: keystrokes arrive one by one and the terminal prints none of them. */
const promptHidden = (stdin: NodeJS.ReadStream, stderr: NodeJS.WriteStream, question: string) =>
  new Promise<string>((resolve, reject) => {
    stderr.write(question)
    let value = ""
    const finish = (error?: Error) => {
      stdin.off("data", onData)
      stdin.setRawMode(false)
      stdin.pause()
      stderr.write("\n")
      if (error) reject(error)
      else resolve(value)
    }
    const onData = (chunk: string) => {
      for (const c of chunk) {
        if (c === "\r" || c === "\n" || c === "\u0004") return finish()
        if (c === "\u0003") return finish(new Error("interrupted"))
        if (c === "\u007f" || c === "\b") value = value.slice(0, -1)
        else value += c
      }
    }
    stdin.setRawMode(true)
    stdin.setEncoding("utf8")
    stdin.resume()
    stdin.on("data", onData)
  })

/** The process's own stdin. */
export const processSecretSource = (): SecretSource => ({
  isTTY: process.stdin.isTTY === true,
  read: () => readAll(process.stdin),
  prompt: (question) => promptHidden(process.stdin, process.stderr, question)
})

/** One trailing line break is how `echo` and files end; it is not part of the value. */
const trimEnd = (text: string) => text.replace(/\r?\n$/, "")

/** The value: prompted for without echo on a terminal, else all of stdin. */
export const readSecret = Effect.fn("Cli.readSecret")(function* (what: string) {
  const io = yield* CliIo
  const source = io.stdin
  if (!source) return yield* new UsageError({ reason: `no stdin to read ${what} from` })
  const text = yield* Effect.tryPromise({
    try: () => (source.isTTY ? source.prompt(`${what} (not echoed): `) : source.read()),
    catch: () => new UsageError({ reason: `could not read ${what} from stdin` })
  })
  const value = trimEnd(text)
  if (value.length === 0) return yield* new UsageError({ reason: `${what} is empty: pipe it on stdin, or type it at the prompt` })
  return value
})
