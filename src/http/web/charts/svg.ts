/**
 * Charts as SVG, drawn from the geometry in geometry.ts with the escaping `html` template
 * (labels come from the database: country codes, repository names). Readable without
 * JavaScript: every bar has a <title> tooltip, and every chart is next to its table.
 */
import { html, raw, type Html } from '../html.js'
import { columnGeometry, formatCount, rowGeometry, stackedShareGeometry, type Box } from './geometry.js'

const FONT = 'font-family="system-ui, DejaVu Sans, sans-serif" font-size="12"'

const r = (n: number) => Math.round(n * 10) / 10

function svgRoot(box: { width: number; height: number }, label: string, body: Html): Html {
  return html`<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${box.width} ${box.height}" width="${box.width}" height="${box.height}" role="img" aria-label="${label}"><title>${label}</title>${body}</svg>`
}

function emptyChart(box: { width: number; height: number }, label: string, message: string): Html {
  return svgRoot(
    box,
    label,
    html`<rect x="0" y="0" width="${box.width}" height="${box.height}" fill="#f4f6f9"/><text x="${box.width / 2}" y="${box.height / 2}" text-anchor="middle" fill="#5b6675" ${raw(FONT)}>${message}</text>`,
  )
}

/** Requests per day: a column per day with a y axis of counts. */
export function dailyRequestsChart(days: readonly { date: string; requests: number }[], label: string): Html {
  const box: Box = { width: 960, height: 280, margin: { top: 16, right: 40, bottom: 36, left: 56 } }
  if (days.length === 0) return emptyChart(box, label, 'No requests recorded yet')
  const g = columnGeometry(days.map((d) => ({ label: d.date, value: d.requests })), box)
  return svgRoot(
    box,
    label,
    html`<g ${raw(FONT)} fill="#5b6675">${g.yTicks.map(
      (t) => html`<line x1="${box.margin.left}" x2="${box.width - box.margin.right}" y1="${r(t.position)}" y2="${r(t.position)}" stroke="#e3e8ee"/><text x="${box.margin.left - 6}" y="${r(t.position) + 4}" text-anchor="end">${t.label}</text>`,
    )}${g.xTicks.map((t) => html`<text x="${r(t.position)}" y="${box.height - box.margin.bottom + 18}" text-anchor="middle">${t.label}</text>`)}</g><g fill="#2a5db0">${g.bars.map(
      (b) => html`<rect x="${r(b.x)}" y="${r(b.y)}" width="${r(Math.max(b.width, 0.5))}" height="${r(b.height)}"><title>${b.label}: ${b.value} requests</title></rect>`,
    )}</g><line x1="${box.margin.left}" x2="${box.width - box.margin.right}" y1="${r(g.baseline)}" y2="${r(g.baseline)}" stroke="#5b6675"/>`,
  )
}

/** Top names by requests: horizontal bars with the name on the left and the count at the end. */
export function topChart(items: readonly { name: string; requests: number }[], label: string, colour = '#2a5db0'): Html {
  const rows = Math.max(items.length, 1)
  const box: Box = { width: 460, height: 24 + rows * 26, margin: { top: 12, right: 70, bottom: 12, left: 140 } }
  if (items.length === 0) return emptyChart({ width: box.width, height: 80 }, label, 'No data')
  const g = rowGeometry(items.map((i) => ({ label: i.name, value: i.requests })), box)
  return svgRoot(
    box,
    label,
    html`<g ${raw(FONT)}>${g.bars.map(
      (b) => html`<text x="${box.margin.left - 8}" y="${r(b.y + b.height / 2 + 4)}" text-anchor="end" fill="#1d2430">${b.label.length > 20 ? `${b.label.slice(0, 19)}…` : b.label}</text><rect x="${r(b.x)}" y="${r(b.y)}" width="${r(Math.max(b.width, 1))}" height="${r(b.height)}" fill="${colour}"><title>${b.label}: ${b.value} requests</title></rect><text x="${r(b.x + Math.max(b.width, 1) + 6)}" y="${r(b.y + b.height / 2 + 4)}" fill="#5b6675">${formatCount(b.value)}</text>`,
    )}</g>`,
  )
}

export const PROPAGATION_STATES = [
  { key: 'sameDay', label: 'synced', colour: 'rgb(75,192,192)' },
  { key: 'oneDay', label: 'synced − 1 day', colour: 'rgb(255,205,86)' },
  { key: 'twoDay', label: 'synced − 2 days', colour: 'rgb(255,159,64)' },
  { key: 'older', label: 'older', colour: 'rgb(255,99,132)' },
  { key: 'noInfo', label: 'unknown', colour: 'rgb(201,203,207)' },
] as const

export type PropagationKey = (typeof PROPAGATION_STATES)[number]['key']

/** Share of mirrors per propagation state, one stacked column per measurement. */
export function propagationChart(points: readonly ({ label: string } & Record<PropagationKey, number>)[], label: string): Html {
  const box: Box = { width: 960, height: 320, margin: { top: 16, right: 56, bottom: 40, left: 56 } }
  if (points.length === 0) return emptyChart(box, label, 'No measurements yet')
  const keys = PROPAGATION_STATES.map((s) => s.key)
  const colours = new Map<string, string>(PROPAGATION_STATES.map((s) => [s.key, s.colour]))
  const names = new Map<string, string>(PROPAGATION_STATES.map((s) => [s.key, s.label]))
  const g = stackedShareGeometry(points, keys, box)
  return svgRoot(
    box,
    label,
    html`<g ${raw(FONT)} fill="#5b6675">${g.yTicks.map(
      (t) => html`<line x1="${box.margin.left}" x2="${box.width - box.margin.right}" y1="${r(t.position)}" y2="${r(t.position)}" stroke="#e3e8ee"/><text x="${box.margin.left - 6}" y="${r(t.position) + 4}" text-anchor="end">${t.label}</text>`,
    )}${g.xTicks.map((t) => html`<text x="${r(t.position)}" y="${box.height - box.margin.bottom + 18}" text-anchor="middle">${t.label}</text>`)}</g>${g.columns.map(
      (c) =>
        html`<g class="column">${c.segments.map(
          (s) =>
            html`<rect x="${r(c.x)}" y="${r(s.y)}" width="${r(Math.max(c.width, 0.5))}" height="${r(s.height)}" fill="${colours.get(s.key)!}" stroke="#fff" stroke-width="0.5"><title>${c.label} — ${names.get(s.key)!}: ${s.value} of ${c.total} mirrors (${Math.round(s.share * 100)} %)</title></rect>`,
        )}</g>`,
    )}`,
  )
}
