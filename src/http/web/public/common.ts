/** What every public page shares: the navigation, the link builder, dates. */
import { html, type Html, type HtmlValue } from '../html.js'
import { page, type NavLink } from '../layout.js'

export const PUBLIC_NAV: readonly NavLink[] = [
  { href: '/mirrors', label: 'Mirrors' },
  { href: '/statistics', label: 'Statistics' },
  { href: '/propagation', label: 'Propagation' },
  { href: '/maps', label: 'Map' },
]

export interface RenderContext {
  /** Prefix of every link (the server's --base-path, or the static export's base URL). */
  basePath: string
  /** false in static exports: no forms or query-string links (a plain web server ignores them). */
  interactive: boolean
}

/** A path under the base, each segment URL-encoded. */
export function href(context: RenderContext, ...segments: string[]): string {
  return `${context.basePath}/${segments.map((s) => encodeURIComponent(s)).join('/')}`
}

export function publicPage(context: RenderContext, title: string, body: HtmlValue): Html {
  return page({ title, basePath: context.basePath, body, nav: PUBLIC_NAV })
}

/** `2026-11-23 14:05 UTC` */
export function formatTime(iso: string | null): string {
  if (!iso) return 'never'
  return `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC`
}

export function swatch(colour: string): Html {
  return html`<svg class="swatch" viewBox="0 0 10 10" width="12" height="12" aria-hidden="true"><rect width="10" height="10" rx="2" fill="${colour}"/></svg>`
}
