// A stand-in for the Workers AI binding in the `workers-ai` test project (vitest.config.ts): the real
// model service is remote, so this worker answers `env.AI.run(model, inputs)` over RPC the way a
// text-generation model does, with `{response, usage}`. Its answer echoes what it was asked, so a
// test sees exactly the model and chat input the plane sent. A user message "fail" makes it throw,
// as an overloaded model does; "json" answers in JSON mode, with an object.
import { WorkerEntrypoint } from "cloudflare:workers"

export default class WorkersAiStandIn extends WorkerEntrypoint {
  async run(model, inputs) {
    const last = inputs.messages?.at(-1)?.content
    if (last === "fail") throw new Error("3040: Capacity temporarily exceeded, please try again.")
    if (last === "json") return { response: { answer: 42 }, usage: { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 } }
    return { response: JSON.stringify({ model, inputs }), usage: { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 } }
  }
}
