/**
 * Chart geometry from plain numbers: where every bar, tick and label goes. No markup here
 * (see svg.ts), so the arithmetic is unit-tested on its own: empty data, one day, one
 * point, all zeros.
 */
import { scaleBand, scaleLinear } from 'd3-scale'
import { stack, stackOffsetExpand } from 'd3-shape'

export interface Box {
  width: number
  height: number
  margin: { top: number; right: number; bottom: number; left: number }
}

export interface Bar {
  x: number
  y: number
  width: number
  height: number
  label: string
  value: number
}

export interface Tick {
  position: number
  label: string
}

/** 1234 → "1.2k", 5600000 → "5.6M": axis labels stay short. */
export function formatCount(value: number): string {
  const abs = Math.abs(value)
  const short = (n: number, unit: string) => `${Number(n.toFixed(n < 10 ? 1 : 0))}${unit}`
  if (abs >= 1e9) return short(value / 1e9, 'G')
  if (abs >= 1e6) return short(value / 1e6, 'M')
  if (abs >= 1e3) return short(value / 1e3, 'k')
  return String(Math.round(value * 100) / 100)
}

/** Every n-th label of a band axis so that labels never overlap (about `room` px each). */
function thinned(labels: readonly string[], step: number, room: number): Set<number> {
  const every = Math.max(1, Math.ceil(room / Math.max(step, 1)))
  const keep = new Set<number>()
  for (let i = labels.length - 1; i >= 0; i -= every) keep.add(i) // always the newest
  return keep
}

export interface ColumnGeometry {
  bars: Bar[]
  xTicks: Tick[]
  yTicks: Tick[]
  /** y of the zero line */
  baseline: number
}

/** Vertical bars, one per labelled value (requests per day). */
export function columnGeometry(points: readonly { label: string; value: number }[], box: Box, labelRoom = 70): ColumnGeometry {
  const { width, height, margin } = box
  const x = scaleBand<string>()
    .domain(points.map((p) => p.label))
    .range([margin.left, width - margin.right])
    .paddingInner(points.length > 60 ? 0.1 : 0.2)
    .paddingOuter(0.1)
  const max = Math.max(0, ...points.map((p) => p.value))
  const y = scaleLinear()
    .domain([0, max > 0 ? max : 1])
    .nice(5)
    .range([height - margin.bottom, margin.top])
  const baseline = y(0)
  const bars = points.map((p) => ({ x: x(p.label)!, y: y(p.value), width: x.bandwidth(), height: baseline - y(p.value), label: p.label, value: p.value }))
  const keep = thinned(points.map((p) => p.label), x.step(), labelRoom)
  const xTicks = points.flatMap((p, i) => (keep.has(i) ? [{ position: x(p.label)! + x.bandwidth() / 2, label: p.label }] : []))
  const yTicks = y.ticks(5).map((value) => ({ position: y(value), label: formatCount(value) }))
  return { bars, xTicks, yTicks, baseline }
}

/** Horizontal bars, one per named value (top countries, top repositories), largest first as given. */
export function rowGeometry(items: readonly { label: string; value: number }[], box: Box): { bars: Bar[]; rowHeight: number } {
  const { width, height, margin } = box
  const y = scaleBand<number>()
    .domain(items.map((_, i) => i))
    .range([margin.top, height - margin.bottom])
    .paddingInner(0.25)
  const max = Math.max(0, ...items.map((i) => i.value))
  const x = scaleLinear()
    .domain([0, max > 0 ? max : 1])
    .range([margin.left, width - margin.right])
  return {
    rowHeight: y.bandwidth(),
    bars: items.map((item, i) => ({ x: margin.left, y: y(i)!, width: x(item.value) - margin.left, height: y.bandwidth(), label: item.label, value: item.value })),
  }
}

export interface StackedColumn<K extends string> {
  label: string
  x: number
  width: number
  total: number
  segments: { key: K; y: number; height: number; value: number; share: number }[]
}

/**
 * Stacked columns of shares (each column sums to 100 %): propagation runs, one column per
 * run, one segment per state. A column whose total is 0 has no segments.
 */
export function stackedShareGeometry<K extends string>(
  points: readonly ({ label: string } & Record<K, number>)[],
  keys: readonly K[],
  box: Box,
  labelRoom = 110,
): { columns: StackedColumn<K>[]; xTicks: Tick[]; yTicks: Tick[] } {
  const { width, height, margin } = box
  const x = scaleBand<number>()
    .domain(points.map((_, i) => i))
    .range([margin.left, width - margin.right])
    .paddingInner(points.length > 60 ? 0.05 : 0.2)
    .paddingOuter(0.1)
  const y = scaleLinear()
    .domain([0, 1])
    .range([height - margin.bottom, margin.top])
  const series = stack<(typeof points)[number], K>()
    .keys(keys)
    .value((d, key) => d[key])
    .offset(stackOffsetExpand)(points as (typeof points)[number][])
  const columns = points.map((point, i) => {
    const total = keys.reduce((sum, key) => sum + point[key], 0)
    const segments =
      total === 0
        ? []
        : series.map((s) => {
            const [low, high] = s[i]!
            return { key: s.key, y: y(high), height: y(low) - y(high), value: point[s.key], share: point[s.key] / total }
          })
    return { label: point.label, x: x(i)!, width: x.bandwidth(), total, segments: segments.filter((s) => s.height > 0) }
  })
  const keep = thinned(points.map((p) => p.label), x.step(), labelRoom)
  const xTicks = points.flatMap((p, i) => (keep.has(i) ? [{ position: x(i)! + x.bandwidth() / 2, label: p.label }] : []))
  const yTicks = [0, 0.25, 0.5, 0.75, 1].map((share) => ({ position: y(share), label: `${share * 100} %` }))
  return { columns, xTicks, yTicks }
}
