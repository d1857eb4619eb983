// The resources the suite's scenarios read, subscribe to and complete: three static ones and one template.
import { PIXEL } from "./content.ts"

export interface StaticResource {
  readonly name: string
  readonly uri: string
  readonly title: string
  readonly description: string
  readonly mimeType: string
  readonly body: { readonly text: string } | { readonly blob: string }
}

/** resources-list, resources-read-text, resources-read-binary, and the resource resources-subscribe watches. */
export const STATIC_RESOURCES: ReadonlyArray<StaticResource> = [
  {
    name: "static-text",
    uri: "test://static-text",
    title: "Static text",
    description: "A text resource that never changes",
    mimeType: "text/plain",
    body: { text: "This is the content of the static text resource." }
  },
  {
    name: "static-binary",
    uri: "test://static-binary",
    title: "Static binary",
    description: "A PNG image resource that never changes",
    mimeType: "image/png",
    body: { blob: PIXEL.data }
  },
  {
    name: "watched-resource",
    uri: "test://watched-resource",
    title: "Watched resource",
    description: "A text resource for the subscribe and unsubscribe scenarios",
    mimeType: "text/plain",
    body: { text: "Watched resource content" }
  }
]

/** The contents a resources/read answers for one of STATIC_RESOURCES. */
export const staticContents = (resource: StaticResource) => [{ uri: resource.uri, mimeType: resource.mimeType, ...resource.body }]

/** resources-templates-read: `{id}` is substituted into a JSON document; completion suggests the known ids. */
export const TEMPLATE = {
  name: "template",
  uriTemplate: "test://template/{id}/data",
  title: "Data by id",
  description: "A JSON document for any id",
  mimeType: "application/json",
  knownIds: ["123", "124", "456"],
  read: (uri: string, id: string) => [
    { uri, mimeType: "application/json", text: JSON.stringify({ id, templateTest: true, data: `Data for ID: ${id}` }) }
  ]
}

/** completion/complete: the candidates that start with what the user typed so far. */
export const complete = (candidates: ReadonlyArray<string>, typed: string) => {
  const values = candidates.filter((candidate) => candidate.startsWith(typed))
  return { values, total: values.length, hasMore: false }
}

/** SEP-2164: reading a URI nothing serves is an Invalid Params error that names the URI. */
export const RESOURCE_NOT_FOUND = { code: -32602, message: (uri: string) => `Resource not found: ${uri}` }
