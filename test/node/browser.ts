// A real browser for tests of Berth's pages: Debian's chromium, driven by playwright-core. A missing
// browser fails the test with the command that installs it; a page test never skips.
import { existsSync } from "node:fs"
import { type Browser, chromium } from "playwright-core"

export const CHROMIUM_PATH = "/usr/bin/chromium"

const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync"
]

const INSTALL_HINT = `install Debian's chromium: apt-get install -y chromium`

/**
 * Debian's chromium, headless. Playwright gives each launch a fresh user-data-dir, and each
 * `browser.newContext()` a fresh cookie jar. Close the browser when done.
 */
export const launchBrowser = async (): Promise<Browser> => {
  if (!existsSync(CHROMIUM_PATH)) throw new Error(`no browser at ${CHROMIUM_PATH}: ${INSTALL_HINT}`)
  try {
    return await chromium.launch({ executablePath: CHROMIUM_PATH, headless: true, args: CHROMIUM_ARGS })
  } catch (error) {
    throw new Error(`${CHROMIUM_PATH} did not start (${error instanceof Error ? error.message : String(error)}); ${INSTALL_HINT}`, {
      cause: error
    })
  }
}
