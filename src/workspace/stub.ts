// A typed stub for a workspace's Durable Object. workers-types maps RPC return types through
// Rpc.Serializable, which turns our `unknown` JSON payloads into `never`; the values are plain
// JSON, so the methods' own types are the truth.
import type { Env } from "../env.ts"
import type { Workspace } from "./durable-object.ts"

type RpcMethods =
  | "execute"
  | "installPlugin"
  | "setCredential"
  | "configureOAuthClient"
  | "startCredentialConnect"
  | "completeCredentialConnect"
  | "credentialConnectStatus"
  | "putMemory"
  | "getMemory"
  | "listMemory"
  | "searchMemory"
  | "memoryHistory"
  | "runCode"
  | "codeTools"
  | "jobs"
  | "memoryIndex"
  | "refreshPlugin"
  | "refuseForeignKey"
  | "refuseForeignAgent"
  | "precheck"
  | "snapshot"
  | "events"
  | "stateAt"
  | "verify"
  | "upstreamConnects"
  | "runs"
  | "run"
  | "tryCall"
  | "simulatePolicy"
  | "pushReadModels"
  | "resetReadModels"
  | "sealArchive"
  | "agentAt"

export type WorkspaceStub = {
  readonly [K in RpcMethods]: (...args: Parameters<Workspace[K]>) => Promise<Awaited<ReturnType<Workspace[K]>>>
}

export const workspaceStub = (env: Env, workspace: string): WorkspaceStub =>
  env.WORKSPACE.getByName(workspace) as unknown as WorkspaceStub
