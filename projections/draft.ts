// A state under construction by a batch of events. Each record is copied the first time the batch
// touches it and then changed in place, so a batch costs O(records touched + changes) instead of a
// full copy per event; and it knows which keys changed, so storage writes only those rows.
// The state handed in is never mutated: evolve and replay stay pure from the outside. The one
// exception is opt-in (`inPlace`, the live object's append): a record too large to copy per command
// (memory, 10,000 entries cost milliseconds to spread) is changed where it is, with an undo.
import { type EntityKind, type WorkspaceState } from "./state.ts"

type Entity<K extends EntityKind> = WorkspaceState[K][string]
type Mutable = { -readonly [K in keyof WorkspaceState]: WorkspaceState[K] }

/** Which entity keys a batch wrote or deleted, and whether `workspace` changed. */
export interface Changes {
  readonly workspace: boolean
  readonly keys: ReadonlyMap<EntityKind, ReadonlySet<string>>
}

const ABSENT = Symbol("absent")

export class Draft {
  readonly #state: Mutable
  readonly #copied = new Set<EntityKind>()
  readonly #keys = new Map<EntityKind, Set<string>>()
  #workspaceChanged = false
  /** Kinds changed in the base's own records, each change undoable (applyEvents' `inPlace`). */
  readonly #inPlace: ReadonlySet<EntityKind>
  readonly #undo: Array<() => void> = []

  constructor(base: WorkspaceState, inPlace: ReadonlySet<EntityKind> = new Set()) {
    this.#state = { ...base }
    this.#inPlace = inPlace
  }

  /** Puts every in-place record back as it was before this draft (the append did not commit). */
  undo(): void {
    for (const step of this.#undo.reverse()) step()
    this.#undo.length = 0
  }

  #remember(kind: EntityKind, key: string) {
    if (!this.#inPlace.has(kind)) return
    const record = this.#state[kind] as Record<string, unknown>
    const before = key in record ? record[key] : ABSENT
    this.#undo.push(() => {
      if (before === ABSENT) delete record[key]
      else record[key] = before
    })
  }

  get state(): WorkspaceState {
    return this.#state
  }

  #record<K extends EntityKind>(kind: K): Record<string, Entity<K>> {
    if (!this.#copied.has(kind) && !this.#inPlace.has(kind)) {
      this.#state[kind] = { ...this.#state[kind] } as never
      this.#copied.add(kind)
    }
    return this.#state[kind] as Record<string, Entity<K>>
  }

  #touch(kind: EntityKind, key: string) {
    let keys = this.#keys.get(kind)
    if (!keys) this.#keys.set(kind, (keys = new Set()))
    keys.add(key)
  }

  setWorkspace(workspace: WorkspaceState["workspace"]) {
    this.#state.workspace = workspace
    this.#workspaceChanged = true
  }

  put<K extends EntityKind>(kind: K, key: string, value: Entity<K>) {
    this.#remember(kind, key)
    this.#record(kind)[key] = value
    this.#touch(kind, key)
  }

  /** Changes an existing entity; an unknown key is left alone (evolve is total). */
  patch<K extends EntityKind>(kind: K, key: string, change: Partial<Entity<K>>) {
    const current = this.#state[kind][key]
    if (current !== undefined) this.put(kind, key, { ...current, ...change } as Entity<K>)
  }

  delete(kind: EntityKind, key: string) {
    if (!(key in this.#state[kind])) return
    this.#remember(kind, key)
    delete this.#record(kind)[key]
    this.#touch(kind, key)
  }

  /** Deletes every entity of `kind` matching `when`. */
  deleteWhere<K extends EntityKind>(kind: K, when: (entity: Entity<K>, key: string) => boolean) {
    for (const [key, entity] of Object.entries(this.#state[kind]) as Array<[string, Entity<K>]>) if (when(entity, key)) this.delete(kind, key)
  }

  get changes(): Changes {
    return { workspace: this.#workspaceChanged, keys: this.#keys }
  }
}
