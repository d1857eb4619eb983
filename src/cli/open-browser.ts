// Opens a URL in the member's browser: $BROWSER if set (the first of a colon-separated list),
// else `open` on macOS, `rundll32` on Windows and `xdg-open` elsewhere. Best effort: a machine
// with no browser gets nothing, and `berth login` prints the URL either way.
import { spawn } from "node:child_process"

export const openBrowser = (url: string, env: Readonly<Record<string, string | undefined>>): void => {
  const browser = env.BROWSER?.split(":")[0]?.trim()
  const [command, args] = browser
    ? [browser, [url]]
    : process.platform === "darwin"
      ? ["open", [url]]
      : process.platform === "win32"
        ? ["rundll32", ["url.dll,FileProtocolHandler", url]]
        : ["xdg-open", [url]]
  try {
    const child = spawn(command, args, { stdio: "ignore", detached: true })
    child.on("error", () => undefined)
    child.unref()
  } catch {
    // No such program: the printed URL is the way.
  }
}
