// How upstream names appear to agents: tools and prompts as `{plugin}__{name}`, resources as
// `berth://{plugin}/{encoded upstream uri}`; and workspace memory as `berth://memory/{namespace}/{key}`
// (no plugin may be named `memory`). Both directions live here so they cannot drift.
const SEPARATOR = "__"
const RESOURCE_PREFIX = "berth://"

export const namespaced = (plugin: string, name: string) => `${plugin}${SEPARATOR}${name}`

/** Plugin names cannot contain "__" (events/names.ts), so the first one splits. */
export const splitNamespaced = (name: string): { plugin: string; name: string } | undefined => {
  const at = name.indexOf(SEPARATOR)
  return at > 0 ? { plugin: name.slice(0, at), name: name.slice(at + SEPARATOR.length) } : undefined
}

export const resourceUri = (plugin: string, uri: string) => `${RESOURCE_PREFIX}${plugin}/${encodeURIComponent(uri)}`

export const splitResourceUri = (uri: string): { plugin: string; uri: string } | undefined => {
  if (!uri.startsWith(RESOURCE_PREFIX)) return undefined
  const rest = uri.slice(RESOURCE_PREFIX.length)
  const slash = rest.indexOf("/")
  if (slash <= 0) return undefined
  try {
    return { plugin: rest.slice(0, slash), uri: decodeURIComponent(rest.slice(slash + 1)) }
  } catch {
    return undefined
  }
}

/** The plugin name the memory resources take: installing a plugin by it is refused (src/registry). */
export const MEMORY_RESOURCES = "memory"
const MEMORY_PREFIX = `${RESOURCE_PREFIX}${MEMORY_RESOURCES}/`

export const memoryUri = (namespace: string, key: string) => `${MEMORY_PREFIX}${namespace}/${encodeURIComponent(key)}`

/** A namespace's segments are URI-safe and a key has no '/': the last '/' splits them. */
export const splitMemoryUri = (uri: string): { namespace: string; key: string } | undefined => {
  if (!uri.startsWith(MEMORY_PREFIX)) return undefined
  const rest = uri.slice(MEMORY_PREFIX.length)
  const slash = rest.lastIndexOf("/")
  if (slash <= 0) return undefined
  try {
    return { namespace: rest.slice(0, slash), key: decodeURIComponent(rest.slice(slash + 1)) }
  } catch {
    return undefined
  }
}

/**
 * How one endpoint names a plugin's tools, prompts and resources. `/w/{ws}/mcp` serves every plugin
 * under namespaced names; the per-plugin mount `/w/{ws}/mcp/{plugin}` serves one plugin under the
 * upstream's own names, so a client written against that server (or an external gateway) sees it as
 * it is. Prompts are named as tools are.
 */
export interface Names {
  /** The one plugin this endpoint serves; undefined for the whole workspace. */
  readonly plugin?: string
  tool(plugin: string, name: string): string
  splitTool(name: string): { plugin: string; name: string } | undefined
  resource(plugin: string, uri: string): string
  splitResource(uri: string): { plugin: string; uri: string } | undefined
  /** A resource template: its literal parts encoded as a resource URI's are, its `{expressions}` left to expand. */
  template(plugin: string, uriTemplate: string): string
}

export const workspaceNames: Names = {
  tool: namespaced,
  splitTool: splitNamespaced,
  resource: resourceUri,
  splitResource: splitResourceUri,
  template: (plugin, uriTemplate) =>
    `${RESOURCE_PREFIX}${plugin}/${uriTemplate
      .split(/(\{[^}]*\})/)
      .map((part, i) => (i % 2 === 1 ? part : encodeURIComponent(part)))
      .join("")}`
}

export const pluginNames = (plugin: string): Names => ({
  plugin,
  tool: (_, name) => name,
  splitTool: (name) => ({ plugin, name }),
  resource: (_, uri) => uri,
  splitResource: (uri) => ({ plugin, uri }),
  template: (_, uriTemplate) => uriTemplate
})
