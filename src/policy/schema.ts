// Berth's Cedar schema (human format) and the starter policy a new workspace is seeded with. Policies
// are validated against this schema when they are set; evaluation runs without it (see `args` below).

/**
 * Entity ids are the names admins see elsewhere: `Agent::"<name>"`, `Tool::"<plugin>__<tool>"`,
 * `Plugin::"<plugin>"`, `Workspace::"<slug>"`, `Memory::"<namespace>"` (in each of its parent
 * namespaces, so `resource in Memory::"team"` covers `team/runbooks`; `agent` is set under `agent/<name>`).
 *
 * - `args` is the call's JSON arguments. Cedar 4.13 cannot declare an open record (the experimental
 *   `additionalAttributes` is refused), so it is the empty closed record and validate.ts drops exactly
 *   the "attribute `args.<field>` … not found" errors. The same closed record is why evaluation cannot
 *   pass this schema: Cedar would refuse any argument as an undeclared attribute.
 * - Each action lists only its real resource types, so `resource.approved` typechecks in a
 *   `call_tool` policy (with `Plugin` also allowed it would not: Plugin has no `approved`).
 * - `context.agent` repeats the principal's attributes, as the issue names them; the engine passes it
 *   only when a policy reads it.
 */
export const CEDAR_SCHEMA = `entity Workspace;
entity Member in [Workspace] { role: String };
entity Plugin in [Workspace];
entity Tool in [Plugin] { approved: Bool, plugin: String, name: String };
entity Agent in [Workspace] { name: String, owner?: String, status: String };
entity Memory in [Memory, Workspace] { namespace: String, agent?: String };

type AgentInfo = { name: String, owner?: String, status: String };
type Call = { args: {}, time: datetime, agent: AgentInfo };

action call_tool appliesTo { principal: [Agent], resource: [Tool], context: Call };
action read_resource, get_prompt appliesTo { principal: [Agent], resource: [Plugin], context: Call };
action read_memory, write_memory appliesTo { principal: [Agent], resource: [Memory], context: Call };
action run_code appliesTo { principal: [Agent], resource: [Workspace], context: Call };
`

/** The actions the schema declares, in the order above. */
export const POLICY_ACTIONS = ["call_tool", "read_resource", "get_prompt", "read_memory", "write_memory", "run_code"] as const
export type PolicyAction = (typeof POLICY_ACTIONS)[number]

/** Deny by default, except that an approved tool may be called: onboarding works until an admin replaces it. */
export const STARTER_POLICY_ID = "starter"
export const STARTER_POLICY = `permit(principal, action == Action::"call_tool", resource) when { resource.approved };\n`

/** What a new workspace is seeded with, under STARTER_POLICY_ID, so onboarding works; admins replace it. */
export const STARTER_POLICY_SET = `// Berth's starter policy: every agent may call every approved tool, read the resources and
// prompts of installed plugins, and read and write the team's memory and its own (agent/<name>).
// Replace it: berth policy set starter --file your.cedar
${STARTER_POLICY}permit(principal, action in [Action::"read_resource", Action::"get_prompt"], resource);
permit(principal, action in [Action::"read_memory", Action::"write_memory"], resource in Memory::"team");
permit(principal, action in [Action::"read_memory", Action::"write_memory"], resource) when { resource has agent && resource.agent == principal.name };
`
