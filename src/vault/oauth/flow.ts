// One authorization-code flow with an upstream's authorization server, as the MCP SDK's auth() sees
// it: an OAuthClientProvider over a plain record (Flow), so the flow can be sealed between its two
// legs (the start, and the callback) and the SDK does discovery, registration, PKCE and the exchange.
import type {
  OAuthClientInformationMixed,
  OAuthClientMetadata,
  OAuthClientProvider,
  OAuthDiscoveryState,
  OAuthTokens
} from "@modelcontextprotocol/client"
import type { ClientSource } from "./material.ts"

/** Everything a flow learns between its legs; JSON, so it can be sealed (connects.ts). */
export interface Flow {
  readonly state: string
  codeVerifier?: string
  client?: OAuthClientInformationMixed
  discovery?: OAuthDiscoveryState
  resource?: string
  tokens?: OAuthTokens
  authorizationUrl?: string
}

export interface FlowClient {
  readonly redirectUrl: string
  readonly metadata: OAuthClientMetadata
  /** A client metadata document Berth serves (https planes only; the SDK requires it). */
  readonly metadataUrl?: string | undefined
  /** The team's pre-registered client for this plugin, if any (ConfigureOAuthClient). */
  readonly configured?: OAuthClientInformationMixed | undefined
}

export class FlowProvider implements OAuthClientProvider {
  readonly clientMetadataUrl: string | undefined

  constructor(
    readonly flow: Flow,
    readonly client: FlowClient
  ) {
    this.clientMetadataUrl = client.metadataUrl
  }

  get redirectUrl() {
    return this.client.redirectUrl
  }
  get clientMetadata() {
    return this.client.metadata
  }
  state() {
    return this.flow.state
  }
  clientInformation() {
    return this.flow.client ?? this.client.configured
  }
  saveClientInformation(client: OAuthClientInformationMixed) {
    this.flow.client = client
  }
  tokens() {
    return this.flow.tokens
  }
  saveTokens(tokens: OAuthTokens) {
    this.flow.tokens = tokens
  }
  redirectToAuthorization(url: URL) {
    this.flow.authorizationUrl = url.href
  }
  saveCodeVerifier(codeVerifier: string) {
    this.flow.codeVerifier = codeVerifier
  }
  codeVerifier() {
    if (this.flow.codeVerifier === undefined) throw new Error("this flow has no code verifier: it was not started here")
    return this.flow.codeVerifier
  }
  saveDiscoveryState(state: OAuthDiscoveryState) {
    this.flow.discovery = state
  }
  discoveryState() {
    return this.flow.discovery
  }
  saveResourceUrl(resource: string) {
    this.flow.resource = resource
  }
  resourceUrl() {
    return this.flow.resource
  }
  invalidateCredentials(scope: "all" | "client" | "tokens" | "verifier" | "discovery") {
    if (scope === "all" || scope === "client") delete this.flow.client
    if (scope === "all" || scope === "tokens") delete this.flow.tokens
    if (scope === "all" || scope === "verifier") delete this.flow.codeVerifier
    if (scope === "all" || scope === "discovery") delete this.flow.discovery
  }

  /** How the flow's client came to be: the team's app, Berth's metadata document, or registration. */
  source(): ClientSource {
    const id = this.flow.client?.client_id
    if (this.client.configured && id === this.client.configured.client_id) return "configured"
    return id !== undefined && id === this.clientMetadataUrl ? "metadata-document" : "registered"
  }
}
