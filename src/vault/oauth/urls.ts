// Where an upstream's authorization server sends the browser back (the callback, one per workspace
// and plugin), and the client metadata document Berth serves as its OAuth client id when the
// authorization server accepts one (an https plane only: a client id URL must be https).
export const callbackUrl = (origin: string, workspace: string, plugin: string) => `${origin}/oauth/callback/${workspace}/${plugin}`

export const clientMetadataUrl = (origin: string, workspace: string, plugin: string) =>
  origin.startsWith("https://") ? `${origin}/oauth/clients/${workspace}/${plugin}` : undefined

/** The document at clientMetadataUrl: a public client (PKCE) whose one redirect is the callback. */
export const clientMetadataDocument = (origin: string, workspace: string, plugin: string) => ({
  client_id: `${origin}/oauth/clients/${workspace}/${plugin}`,
  client_name: `Berth (${workspace})`,
  redirect_uris: [callbackUrl(origin, workspace, plugin)],
  grant_types: ["authorization_code", "refresh_token"],
  response_types: ["code"],
  token_endpoint_auth_method: "none"
})
