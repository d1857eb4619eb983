// A docked workspace (agent `bot`, the test upstream as plugin `up`) whose policy lets every agent run code.
import { ok } from "../admin/rpc-client.ts"
import { dockedWorkspace } from "../mcp/berth-client.ts"

export const RUN_CODE_POLICY = 'permit(principal, action == Action::"run_code", resource);'

export const codeWorkspace = async () => {
  const docked = await dockedWorkspace()
  await ok({ _tag: "SetPolicy", workspace: docked.slug, policy: "code", text: RUN_CODE_POLICY })
  return docked
}
