// The prompts the suite's prompts-* scenarios get by name, each with the messages it renders.
import { type Content, embedded, image, type JsonSchema, text } from "./content.ts"

export interface PromptArgument {
  readonly name: string
  readonly description: string
}
export interface Prompt {
  readonly name: string
  readonly title: string
  readonly description: string
  /** Every argument is a required string. */
  readonly arguments: ReadonlyArray<PromptArgument>
  readonly messages: (args: Readonly<Record<string, string>>) => ReadonlyArray<{ role: "user"; content: Content }>
}

/** prompts-list, prompts-get-simple, -with-args, -embedded-resource, -with-image. */
export const PROMPTS: ReadonlyArray<Prompt> = [
  {
    name: "test_simple_prompt",
    title: "Simple prompt",
    description: "A prompt without arguments",
    arguments: [],
    messages: () => [{ role: "user", content: text("This is a simple prompt for testing.") }]
  },
  {
    name: "test_prompt_with_arguments",
    title: "Prompt with arguments",
    description: "A prompt that quotes its two arguments",
    arguments: [
      { name: "arg1", description: "First test argument" },
      { name: "arg2", description: "Second test argument" }
    ],
    messages: (args) => [{ role: "user", content: text(`Prompt with arguments: arg1='${args.arg1}', arg2='${args.arg2}'`) }]
  },
  {
    name: "test_prompt_with_embedded_resource",
    title: "Prompt with an embedded resource",
    description: "A prompt that embeds a text resource at the URI it is given",
    arguments: [{ name: "resourceUri", description: "URI of the resource to embed" }],
    messages: (args) => [
      { role: "user", content: embedded(args.resourceUri ?? "", "text/plain", "Embedded resource content for testing.") },
      { role: "user", content: text("Please process the embedded resource above.") }
    ]
  },
  {
    name: "test_prompt_with_image",
    title: "Prompt with an image",
    description: "A prompt that shows an image",
    arguments: [],
    messages: () => [
      { role: "user", content: image() },
      { role: "user", content: text("Please analyze the image above.") }
    ]
  }
]

/** A prompt's arguments as the JSON Schema of an object with required string properties. */
export const promptSchema = (prompt: Prompt): JsonSchema => ({
  type: "object",
  properties: Object.fromEntries(prompt.arguments.map((a) => [a.name, { type: "string", description: a.description }])),
  required: prompt.arguments.map((a) => a.name)
})
