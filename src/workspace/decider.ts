// The shape every command handler has: decide(state, command) → events | a tagged error.
// decide reads only the state it is given; the Durable Object does the I/O.
import { Effect } from "effect"
import type { DomainEvent } from "../../events/index.ts"
import type { WorkspaceState } from "../../projections/state.ts"
import { WorkspaceNotFound } from "./errors.ts"

/** `workspace` is the slug the command was addressed to, for errors before the workspace exists. */
export type Decide<C, E> = (
  state: WorkspaceState,
  command: C,
  workspace: string
) => Effect.Effect<ReadonlyArray<DomainEvent>, E>

/** Every command but CreateWorkspace needs the workspace to exist. */
export const requireWorkspace = (state: WorkspaceState, slug: string) =>
  state.workspace === null ? Effect.fail(new WorkspaceNotFound({ workspace: slug })) : Effect.succeed(state.workspace)
