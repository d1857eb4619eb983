// The Worker: routes HTTP to the capability that owns it, and exports the Durable Object and the
// AdminApi entrypoint. Nothing else lives here.
import { handleAdminRpc } from "./admin/http.ts"
import { handleAuth } from "./auth/routes.ts"
import type { Env } from "./env.ts"
import { handleMcp } from "./mcp/route.ts"
import { handleOAuth } from "./oauth/routes.ts"
import { handleUpstreamOAuth } from "./vault/oauth/routes.ts"

export { AdminApi } from "./admin/entrypoint.ts"
export { WorkspaceDb } from "./sandbox/db/workspace-db.ts"
export { SandboxRunner } from "./sandbox/runner.ts"
export { Workspace } from "./workspace/durable-object.ts"

export default {
  async fetch(request: Request, env: Env, ctx: ExecutionContext): Promise<Response> {
    const { pathname } = new URL(request.url)
    if (pathname === "/healthz") return Response.json({ ok: true, service: "berth" })
    if (pathname === "/admin/rpc") return handleAdminRpc(request, env)
    // Members: sign-in pages, OpenID Connect, sessions.
    if (pathname.startsWith("/auth/")) return handleAuth(request, env)
    // The workspace's endpoint, and each plugin's own mount under it.
    const mcp = /^\/w\/([a-z0-9-]+)\/mcp(?:\/[A-Za-z0-9._-]+)?$/.exec(pathname)
    if (mcp) return handleMcp(request, env, ctx, mcp[1]!)
    // Upstream OAuth, Berth as the client: the callback of `berth credential connect`, and its client metadata.
    const upstream = await handleUpstreamOAuth(request, env)
    if (upstream) return upstream
    // OAuth 2.1: discovery, registration, authorization (consent) and tokens, for agents and the CLI.
    const oauth = await handleOAuth(request, env, ctx)
    if (oauth) return oauth
    return Response.json({ ok: false, error: { _tag: "NotFound", message: `no route for ${pathname}` } }, { status: 404 })
  }
} satisfies ExportedHandler<Env>
