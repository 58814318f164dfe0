/** /maps: every public mirror on a world map, coloured by its state at the last crawl. */
import type { PublicMirror } from '../../../lib/public/mirror-list.js'
import { MAP_STATES, worldMap, type MapPoint } from '../charts/world-map.js'
import { html, type Html } from '../html.js'
import { href, publicPage, swatch, type RenderContext } from './common.js'

export function mapPoints(mirrors: readonly PublicMirror[]): MapPoint[] {
  return mirrors.flatMap((m) =>
    m.latitude === null || m.longitude === null
      ? []
      : [{ latitude: m.latitude, longitude: m.longitude, label: `${m.host} (${m.site}, ${m.country})`, state: m.upToDate === null ? 'unknown' : m.upToDate ? 'ok' : 'stale' }],
  )
}

export function mirrorMapSvg(mirrors: readonly PublicMirror[]): Html {
  return worldMap(mapPoints(mirrors), 'Public mirrors on a world map')
}

export function renderMap(context: RenderContext, mirrors: readonly PublicMirror[]): Html {
  const placed = mapPoints(mirrors).length
  const unplaced = mirrors.filter((m) => m.latitude === null || m.longitude === null)
  const body = html`<p class="lead">${placed} of ${mirrors.length} public mirrors placed. <a href="${href(context, 'map', 'mirrors_location.txt')}">Locations as text</a> · <a href="${href(context, 'maps', 'mirrors.svg')}">the map as SVG</a></p>
<p class="legend">${MAP_STATES.map((s) => html`<span>${swatch(s.colour)}${s.label}</span>`)}</p>
<figure class="chart map" id="map">${mirrorMapSvg(mirrors)}</figure>
${unplaced.length > 0 ? html`<p class="muted">Not placed yet: ${unplaced.map((m, i) => html`${i > 0 ? ', ' : ''}${m.host}`)}.</p>` : ''}`
  return publicPage(context, 'Mirror map', body)
}
