/**
 * HTML that escapes by default. `html` is a tagged template: every interpolated value is
 * escaped unless it is already `Html` (the result of another `html` template, or of
 * `raw()` for markup that this code wrote itself — never for anything from a request or
 * the database). Arrays are joined, `null`, `undefined` and `false` render as nothing,
 * so conditionals and lists read naturally:
 *
 *   html`<ul>${hosts.map((h) => html`<li>${h.name}</li>`)}</ul>`
 *
 * No other code builds markup by string concatenation.
 */

const ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
}

/** Markup that is safe to emit as it is. Only `html` and `raw` make one. */
export class Html {
  readonly #text: string
  constructor(text: string) {
    this.#text = text
  }
  toString(): string {
    return this.#text
  }
}

export type HtmlValue = Html | string | number | bigint | boolean | null | undefined | readonly HtmlValue[]

const SPECIAL = /[&<>"']/
const SPECIALS = /[&<>"']/g

/** Escape text for an element's content or a quoted attribute value. */
export function escapeHtml(text: string): string {
  // Speed: most values (names, URLs, numbers) have nothing to escape — one test and the
  // same string back; the replace with its callback was 10 % of the host page's CPU time.
  return SPECIAL.test(text) ? text.replace(SPECIALS, (c) => ESCAPES[c]!) : text
}

function render(value: HtmlValue): string {
  if (value === null || value === undefined || value === false) return ''
  if (value instanceof Html) return value.toString()
  if (Array.isArray(value)) return value.map(render).join('')
  return escapeHtml(String(value))
}

export function html(strings: TemplateStringsArray, ...values: HtmlValue[]): Html {
  let out = strings[0]!
  for (let i = 0; i < values.length; i++) out += render(values[i]) + strings[i + 1]!
  return new Html(out)
}

/** Markup written by this code (an SVG it drew, a constant). Never request or database text. */
export function raw(markup: string): Html {
  return new Html(markup)
}
