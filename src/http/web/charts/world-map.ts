/**
 * The mirror map: a world map drawn as SVG from world-atlas (Natural Earth 1:110m, shipped
 * in the npm package — no tiles, no network), with a dot per placed mirror coloured by
 * its up-to-date state. The land and border paths are the same for every map: projected
 * once, on first use, and kept.
 */
import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { geoGraticule10, geoNaturalEarth1, geoPath, type GeoProjection } from 'd3-geo'
import { feature, mesh } from 'topojson-client'
import type { Topology, GeometryCollection } from 'topojson-specification'
import { html, type Html } from '../html.js'

export const MAP_WIDTH = 960
export const MAP_HEIGHT = 500

export interface MapPoint {
  latitude: number
  longitude: number
  label: string
  state: 'ok' | 'stale' | 'unknown'
}

export const MAP_STATES = [
  { state: 'ok', label: 'up to date at the last crawl', colour: '#23833b' },
  { state: 'stale', label: 'behind at the last crawl', colour: '#d2691e' },
  { state: 'unknown', label: 'not crawled yet', colour: '#7a8594' },
] as const

interface Base {
  projection: GeoProjection
  sphere: string
  graticule: string
  land: string
  borders: string
}

let base: Base | undefined

function projection(): GeoProjection {
  return geoNaturalEarth1().fitExtent(
    [
      [8, 8],
      [MAP_WIDTH - 8, MAP_HEIGHT - 8],
    ],
    { type: 'Sphere' },
  )
}

/** Projects a point; undefined for coordinates off the map (bad data). */
export function projectPoint(latitude: number, longitude: number): [number, number] | undefined {
  if (!Number.isFinite(latitude) || !Number.isFinite(longitude) || Math.abs(latitude) > 90 || Math.abs(longitude) > 180) return undefined
  const xy = (base?.projection ?? projection())([longitude, latitude])
  return xy ? [Math.round(xy[0] * 10) / 10, Math.round(xy[1] * 10) / 10] : undefined
}

function loadBase(): Base {
  if (base) return base
  const require = createRequire(import.meta.url)
  const topology = JSON.parse(readFileSync(require.resolve('world-atlas/countries-110m.json'), 'utf8')) as Topology<{
    countries: GeometryCollection
    land: GeometryCollection
  }>
  const p = projection()
  const path = geoPath(p).digits(1)
  base = {
    projection: p,
    sphere: path({ type: 'Sphere' }) ?? '',
    graticule: path(geoGraticule10()) ?? '',
    land: path(feature(topology, topology.objects.land)) ?? '',
    borders: path(mesh(topology, topology.objects.countries, (a, b) => a !== b)) ?? '',
  }
  return base
}

const COLOURS = new Map<string, string>(MAP_STATES.map((s) => [s.state, s.colour]))

/** The map with the given points; points off the map are left out. */
export function worldMap(points: readonly MapPoint[], label: string): Html {
  const b = loadBase()
  // draw stale and unknown first so up-to-date mirrors stay visible where dots overlap
  const order = { unknown: 0, stale: 1, ok: 2 }
  const dots = [...points]
    .sort((x, y) => order[x.state] - order[y.state])
    .flatMap((point) => {
      const xy = projectPoint(point.latitude, point.longitude)
      return xy ? [{ xy, point }] : []
    })
  return html`<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${MAP_WIDTH} ${MAP_HEIGHT}" width="${MAP_WIDTH}" height="${MAP_HEIGHT}" role="img" aria-label="${label}"><title>${label}</title><path d="${b.sphere}" fill="#dbe9f6"/><path d="${b.graticule}" fill="none" stroke="#c4d7ea" stroke-width="0.5"/><path d="${b.land}" fill="#f3efe6" stroke="#b9b2a3" stroke-width="0.5"/><path d="${b.borders}" fill="none" stroke="#cfc8b8" stroke-width="0.4"/><path d="${b.sphere}" fill="none" stroke="#8aa4bf"/><g stroke="#fff" stroke-width="1">${dots.map(
    ({ xy, point }) => html`<circle class="mirror ${point.state}" cx="${xy[0]}" cy="${xy[1]}" r="4.5" fill="${COLOURS.get(point.state)!}"><title>${point.label}</title></circle>`,
  )}</g></svg>`
}
