// The Workspace Durable Object: one per workspace, the single writer of its log. It wires SQLite,
// the alarm and RPC methods to the command pipeline and the history readers; rules live elsewhere.
import { DurableObject } from "cloudflare:workers"
import type { Envelope } from "../../events/index.ts"
import type { WorkspaceState } from "../../projections/state.ts"
import type { Env } from "../env.ts"
import type { ChainCheck } from "./chain.ts"
import { Directory } from "./directory.ts"
import { EventLog } from "./event-log.ts"
import { type CommandOptions, type CommandOutcome, executeCommand, type WorkspaceStores } from "./execute.ts"
import { type Point, type StateAt, stateAt, verifyLog } from "./history.ts"
import { IdempotencyStore } from "./idempotency-store.ts"
import { ProjectionStore } from "./projection-store.ts"

export interface Snapshot {
  readonly seq: number
  readonly hash: string
  readonly state: WorkspaceState
}

export class Workspace extends DurableObject<Env> {
  #stores!: WorkspaceStores
  #state!: WorkspaceState
  readonly #directory: Directory

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env)
    this.#directory = new Directory(env.DIRECTORY, ctx.storage)
    void ctx.blockConcurrencyWhile(async () => {
      const sql = ctx.storage.sql
      const projection = new ProjectionStore(sql)
      this.#stores = {
        log: new EventLog(sql),
        projection,
        idempotency: new IdempotencyStore(sql),
        transactionSync: (fn) => ctx.storage.transactionSync(fn)
      }
      this.#state = projection.load()
      await this.#directory.ensure(this.#directoryEntry)
    })
  }

  get #directoryEntry() {
    const created = this.#state.workspace
    return created && { workspace: created.slug, createdAt: created.createdAt }
  }

  get #slug(): string {
    return this.ctx.id.name ?? this.ctx.id.toString()
  }

  async execute(command: unknown, options: CommandOptions): Promise<CommandOutcome> {
    const { outcome, state } = executeCommand(this.#stores, this.#slug, this.#state, command, options)
    this.#state = state
    if (outcome.ok && outcome.events.some((e) => e.type === "WorkspaceCreated")) await this.#directory.ensure(this.#directoryEntry)
    return outcome
  }

  snapshot(): Snapshot {
    const { seq, hash } = this.#stores.log.head
    return { seq, hash, state: this.#state }
  }

  events(fromSeq: number, limit: number): ReadonlyArray<Envelope> {
    return this.#stores.log.read(fromSeq, limit)
  }

  stateAt(point: Point): StateAt {
    return stateAt(this.#stores.log.scan(), point)
  }

  verify(): ChainCheck {
    return verifyLog(this.#stores.log.scan())
  }

  override async alarm(): Promise<void> {
    await this.#directory.ensure(this.#directoryEntry)
  }
}
