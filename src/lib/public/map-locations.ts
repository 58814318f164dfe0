/**
 * `/map/mirrors_location.txt` in MirrorManager2's format (an OpenLayers Text layer): a
 * tab-separated header, then one row per distinct http(s) host name of a placed mirror.
 * Fixed: the listed mirrors only (no disabled hosts, no private URLs — MirrorManager2
 * listed both), and the site name is HTML-escaped (it is shown as HTML in the popup).
 */
import type { PublicMirror } from './mirror-list.js'

export const MAP_LOCATIONS_HEADER = 'lat\tlon\ttitle\tdescription\ticonSize\ticonOffset\ticon\n'

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }
const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => ESCAPES[c]!)

/** One line of text: no tabs or line breaks can leak into the columns. */
const oneLine = (text: string) => text.replace(/[\t\r\n]+/g, ' ')

export function mapLocationsText(mirrors: readonly PublicMirror[]): string {
  let text = MAP_LOCATIONS_HEADER
  const seen = new Set<string>()
  for (const mirror of mirrors) {
    if (mirror.latitude === null || mirror.longitude === null) continue
    for (const category of mirror.categories) {
      for (const { scheme, url } of category.urls) {
        if (!scheme.startsWith('http')) continue
        let netloc: string
        try {
          netloc = new URL(url).host
        } catch {
          continue
        }
        if (seen.has(netloc)) continue
        seen.add(netloc)
        const link = `<a href='${scheme}://${escapeHtml(netloc)}' rel='noopener noreferrer' target='_blank'>${escapeHtml(netloc)}</a>`
        text += `${mirror.latitude}\t${mirror.longitude}\t${link}\t${escapeHtml(oneLine(mirror.site))}\t24,24\t-12,-24\t/static/map/f-dot.png\n`
      }
    }
  }
  return text
}
