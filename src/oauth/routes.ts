// OAuth 2.1 for agents and the CLI. Being built.
import type { Env } from "../env.ts"

export const handleOAuth = async (_request: Request, _env: Env, _ctx: ExecutionContext): Promise<Response | undefined> => undefined
