// How an event type is declared: a literal `type` plus a `data` Schema. The envelope (envelope.ts)
// carries everything else; the version lives in upcast.ts, derived from the upcasters registered there.
import { Schema } from "effect"

export const defineEvent = <const Type extends string, const Fields extends Schema.Struct.Fields>(
  type: Type,
  fields: Fields
) => Schema.Struct({ type: Schema.Literal(type), data: Schema.Struct(fields) })
