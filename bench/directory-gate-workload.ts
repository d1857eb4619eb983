// What the directory-gate benchmark times, served as one bundle the way wrangler bundles the Worker:
// the Worker's own fetch handler for /w/{slug}/mcp (route, slug check, directory gate, bearer), the
// same request handed straight to the workspace's object, and the gate's lookup alone.
import type { Env } from "../src/env.ts"
import worker from "../src/worker.ts"
import { workspaceExists } from "../src/workspace/known-workspaces.ts"

export { mintAgentKey } from "../src/agent/agent-key.ts"
export { workspaceExists }

export type Hop = (request: Request, env: Env, ctx: ExecutionContext, slug: string) => Promise<Response>

export const gatedHop: Hop = (request, env, ctx) => worker.fetch(request, env, ctx)

/** No route at all: what the Worker did for any slug before issue 16, minus its checks. */
export const directHop: Hop = (request, env, _ctx, slug) => env.WORKSPACE.getByName(slug).fetch(request)
