// Turns a Schema decoding failure into a field path and a reason, so an error names the first bad field.
import type { Schema } from "effect"
import { SchemaIssue } from "effect"
import { InvalidCommand } from "./errors.ts"

const formatter = SchemaIssue.makeFormatterStandardSchemaV1()

const fieldPath = (path: ReadonlyArray<PropertyKey | { key: PropertyKey }> | undefined): string =>
  (path ?? [])
    .map((p) => (typeof p === "object" ? p.key : p))
    .map((k, i) => (typeof k === "number" ? `[${k}]` : i === 0 ? String(k) : `.${String(k)}`))
    .join("")

export const describeSchemaError = (error: Schema.SchemaError): { field: string; reason: string } => {
  const first = formatter(error.issue).issues[0]
  return { field: fieldPath(first?.path), reason: first?.message ?? error.message }
}

export const invalidCommand = (error: Schema.SchemaError): InvalidCommand => new InvalidCommand(describeSchemaError(error))
