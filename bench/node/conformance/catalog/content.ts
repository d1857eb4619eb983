// Content blocks and schemas as plain JSON, typed loosely enough that either SDK's types accept them:
// the vocabulary the rest of the catalog is written in.

/** A 1×1 PNG and a 1 ms silent WAV (8 kHz, 16-bit mono), base64: the smallest media the content scenarios accept. */
export const PIXEL = { data: "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAIAAACQd1PeAAAADElEQVR4nGOQz+8GAAHKARoLeFNrAAAAAElFTkSuQmCC", mimeType: "image/png" }
export const SILENCE = { data: "UklGRjQAAABXQVZFZm10IBAAAAABAAEAQB8AAIA+AAACABAAZGF0YRAAAAAAAAAAAAAAAAAAAAAAAAAA", mimeType: "audio/wav" }

export type TextContent = { type: "text"; text: string }
export type ImageContent = { type: "image"; data: string; mimeType: string }
export type AudioContent = { type: "audio"; data: string; mimeType: string }
export type EmbeddedText = { type: "resource"; resource: { uri: string; mimeType: string; text: string } }
export type Content = TextContent | ImageContent | AudioContent | EmbeddedText
export type JsonSchema = { type: "object"; properties?: Record<string, object>; required?: Array<string>; [keyword: string]: unknown }

export const text = (value: string): TextContent => ({ type: "text", text: value })
export const image = (): ImageContent => ({ type: "image", ...PIXEL })
export const audio = (): AudioContent => ({ type: "audio", ...SILENCE })
export const embedded = (uri: string, mimeType: string, body: string): EmbeddedText => ({ type: "resource", resource: { uri, mimeType, text: body } })

/** The input schema of a tool that takes no arguments. */
export const NO_ARGUMENTS: JsonSchema = { type: "object", properties: {} }

export interface Tool {
  readonly name: string
  readonly description: string
  readonly inputSchema: JsonSchema
}
