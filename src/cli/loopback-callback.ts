// Where the browser returns to after `berth login` (RFC 8252 §7.3): a one-shot HTTP server on
// 127.0.0.1, on a port the system picks, that takes the first /callback and tells the member to go
// back to the terminal. It lives only as long as the login's scope.
import { createServer } from "node:http"
import type { AddressInfo } from "node:net"
import { Effect, type Scope } from "effect"

export interface LoopbackCallback {
  /** `http://127.0.0.1:<port>/callback` */
  readonly redirectUri: string
  /** The full URL the browser returned to, with `code` and `state`, or `error`. */
  readonly received: Effect.Effect<URL>
}

const page = (title: string, text: string) =>
  `<!doctype html>\n<html lang="en"><head><meta charset="utf-8"><title>${title}</title></head>` +
  `<body><main><h1>${title}</h1><p>${text}</p></main></body></html>\n`

const HEADERS = {
  "content-type": "text/html; charset=utf-8",
  "content-security-policy": "default-src 'none'",
  "cache-control": "no-store"
}

export const loopbackCallback: Effect.Effect<LoopbackCallback, never, Scope.Scope> = Effect.acquireRelease(
  Effect.callback<{ readonly callback: LoopbackCallback; readonly close: () => void }>((resume) => {
    let deliver: (url: URL) => void = () => undefined
    const received = new Promise<URL>((resolve) => (deliver = resolve))
    let done = false
    const server = createServer((request, response) => {
      const url = new URL(request.url ?? "/", "http://127.0.0.1")
      if (request.method !== "GET" || url.pathname !== "/callback" || done) {
        response.writeHead(404, HEADERS).end(page("Not found", "This address only takes berth login's return from the plane."))
        return
      }
      done = true
      const failed = url.searchParams.get("error")
      response
        .writeHead(200, HEADERS)
        .end(
          failed === null
            ? page("Signed in to Berth", "You can close this tab and return to the terminal.")
            : page("Sign-in not completed", "The plane did not sign the CLI in. Return to the terminal to see why.")
        )
      deliver(new URL(`${redirectUri}${url.search}`))
    })
    let redirectUri = ""
    server.listen(0, "127.0.0.1", () => {
      redirectUri = `http://127.0.0.1:${(server.address() as AddressInfo).port}/callback`
      resume(
        Effect.succeed({
          callback: { redirectUri, received: Effect.promise(() => received) },
          close: () => {
            server.close()
            server.closeAllConnections()
          }
        })
      )
    })
  }),
  ({ close }) => Effect.sync(close)
).pipe(Effect.map(({ callback }) => callback))
