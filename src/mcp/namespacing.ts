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
