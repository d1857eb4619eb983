// Plain HTML for Berth's pages: a tagged template that escapes every interpolated value unless it
// is itself `html`, and the page shell with the headers every page carries. No script, no build step.

/** Markup that is already safe: built by `html`, never from a raw string. */
export class Html {
  constructor(readonly text: string) {}
}

const escapes: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }
export const escapeHtml = (value: string) => value.replace(/[&<>"']/g, (c) => escapes[c]!)

type Slot = Html | string | number | ReadonlyArray<Html> | null | undefined | false

const render = (slot: Slot): string =>
  slot === null || slot === undefined || slot === false
    ? ""
    : slot instanceof Html
      ? slot.text
      : Array.isArray(slot)
        ? slot.map((s: Html) => s.text).join("")
        : escapeHtml(String(slot))

export const html = (strings: TemplateStringsArray, ...slots: ReadonlyArray<Slot>): Html =>
  new Html(strings.reduce((out, s, i) => out + s + (i < slots.length ? render(slots[i]) : ""), ""))

export const STYLESHEET_PATH = "/auth/page.css"

// style-src 'self': the one stylesheet below, no inline style. No script at all. form-action
// 'self': the pages' forms post to the plane only.
const CONTENT_SECURITY_POLICY =
  "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"

export const PAGE_HEADERS = {
  "content-type": "text/html; charset=utf-8",
  "content-security-policy": CONTENT_SECURITY_POLICY,
  "x-frame-options": "DENY",
  "x-content-type-options": "nosniff",
  "referrer-policy": "same-origin",
  "cache-control": "no-store"
} as const

/** A whole page: `lang`, a title that matches its one `h1`, and the shared stylesheet. */
export const page = (title: string, body: Html, init: { status?: number; headers?: HeadersInit } = {}): Response => {
  const headers = new Headers(init.headers)
  for (const [name, value] of Object.entries(PAGE_HEADERS)) headers.set(name, value)
  const document = html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title} · Berth</title>
<link rel="stylesheet" href="${STYLESHEET_PATH}">
</head>
<body>
<main>
<h1>${title}</h1>
${body}
</main>
</body>
</html>
`
  return new Response(document.text, { status: init.status ?? 200, headers })
}

// Readable at any size, high contrast, and a focus ring no one can miss.
const STYLESHEET = `
:root { color-scheme: light dark; font-family: system-ui, sans-serif; line-height: 1.5; }
body { margin: 0; padding: 2rem 1rem; }
main { max-width: 28rem; margin: 0 auto; }
h1 { font-size: 1.5rem; margin: 0 0 1rem; }
h2 { font-size: 1.125rem; margin: 0 0 0.5rem; }
label { display: block; font-weight: 600; margin-bottom: 0.25rem; }
input[type=email], input:not([type]) { box-sizing: border-box; width: 100%; font: inherit; padding: 0.5rem; border: 1px solid CanvasText; border-radius: 4px; }
button, .button { display: inline-block; font: inherit; padding: 0.5rem 1rem; margin-top: 0.75rem; border: 2px solid CanvasText; border-radius: 4px; background: Canvas; color: CanvasText; text-decoration: none; cursor: pointer; }
:focus-visible { outline: 3px solid #1a73e8; outline-offset: 2px; }
section + section { margin-top: 2rem; padding-top: 1rem; border-top: 1px solid GrayText; }
.hint { color: color-mix(in srgb, CanvasText 75%, Canvas); font-size: 0.9rem; }
[role=alert] { font-weight: 600; }
code { font-size: 0.95em; }
`

export const stylesheet = (): Response =>
  new Response(STYLESHEET, {
    headers: { "content-type": "text/css; charset=utf-8", "cache-control": "public, max-age=3600", "x-content-type-options": "nosniff" }
  })
