#!/usr/bin/env node
// The `berth` executable (package.json "bin"). The CLI is TypeScript run by Node's type stripping,
// so refuse politely on a Node that cannot load .ts instead of failing with ERR_UNKNOWN_FILE_EXTENSION.
const [major, minor] = process.versions.node.split(".").map(Number)
if (major < 22 || (major === 22 && minor < 18)) {
  process.stderr.write(
    `berth needs Node >= 22.18 (it runs TypeScript directly); this is Node ${process.versions.node}.\n` +
      "Run it through npm so the project's own Node comes first on PATH: npx berth ... or npm exec berth -- ...\n"
  )
  process.exit(2)
}
// `berth audit export | head` closes the pipe early: that is the reader's choice, not a failure.
process.stdout.on("error", (error) => {
  if (error.code === "EPIPE") process.exit(0)
  throw error
})
const { runProcess } = await import("../src/cli/main.ts")
process.exitCode = await runProcess()
