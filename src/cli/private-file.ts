// Files that hold bearer tokens, in the user's config directory: the directory 0700, the file 0600,
// written whole through a temp file and a rename, so a crash leaves the old one.
import { chmodSync, mkdirSync, renameSync, rmSync, writeFileSync } from "node:fs"
import { homedir } from "node:os"
import { dirname, isAbsolute, join } from "node:path"

/** `${XDG_CONFIG_HOME:-~/.config}/berth/<name>`; a relative XDG_CONFIG_HOME is ignored (XDG). */
export const configPath = (env: Readonly<Record<string, string | undefined>>, name: string): string => {
  const xdg = env.XDG_CONFIG_HOME
  const config = xdg && isAbsolute(xdg) ? xdg : join(env.HOME || homedir(), ".config")
  return join(config, "berth", name)
}

/** Writes `text` as the whole file, readable by the user alone; `undefined` deletes it. Throws on failure. */
export const writePrivateFile = (path: string, text: string | undefined): void => {
  if (text === undefined) return rmSync(path, { force: true })
  const dir = dirname(path)
  mkdirSync(dir, { recursive: true, mode: 0o700 })
  // mkdir's mode is filtered by the umask and leaves an existing directory as it was.
  chmodSync(dir, 0o700)
  const temp = `${path}.${process.pid}.tmp`
  writeFileSync(temp, text, { mode: 0o600 })
  chmodSync(temp, 0o600)
  renameSync(temp, path)
}
