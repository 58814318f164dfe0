/** /propagation (the repositories measured) and /propagation/<id> (a stacked chart over time). */
import type { PropagationRepository, PropagationSeries } from '../../../lib/public/propagation.js'
import { PROPAGATION_STATES, propagationChart } from '../charts/svg.js'
import { html, type Html } from '../html.js'
import { formatTime, href, publicPage, swatch, type RenderContext } from './common.js'

export function renderPropagationIndex(context: RenderContext, repositories: readonly PropagationRepository[]): Html {
  const groups = new Map<string, PropagationRepository[]>()
  for (const repo of repositories) {
    const key = repo.product ? `${repo.product} ${repo.version ?? ''}`.trim() : 'Other'
    groups.set(key, [...(groups.get(key) ?? []), repo])
  }
  const body =
    repositories.length === 0
      ? html`<p class="lead">No propagation measurements yet: <code>mirrormanager crawl propagation</code> records them.</p>`
      : html`<p class="lead">How quickly the mirrors pick up a push of the master repositories, as measured by <code>crawl propagation</code>.</p>
${[...groups].map(
  ([group, repos]) => html`<h2>${group}</h2><table class="propagation"><thead><tr><th>Repository</th><th>Arch</th><th class="num">Measurements</th><th>Last</th></tr></thead><tbody>${repos.map(
    (repo) => html`<tr><td><a href="${href(context, 'propagation', String(repo.id))}">${repo.prefix}</a></td><td>${repo.arch ?? ''}</td><td class="num">${repo.measurements}</td><td>${formatTime(repo.last)}</td></tr>`,
  )}</tbody></table>`,
)}`
  return publicPage(context, 'Propagation', body)
}

export function renderPropagation(context: RenderContext, series: PropagationSeries): Html {
  const repo = series.repository
  const title = `Propagation for ${repo.prefix}${repo.arch ? ` (${repo.arch})` : ''}`
  const points = series.points.map((p) => ({ ...p, label: formatTime(p.datetime).slice(0, 16) }))
  const body = html`<p class="lead">${repo.product ? `${repo.product} ${repo.version ?? ''}` : ''} — share of mirrors whose copy of repodata/repomd.xml is the master's newest, one or two days older, older still, or unknown.</p>
<p class="legend">${PROPAGATION_STATES.map((s) => html`<span>${swatch(s.colour)}${s.label}</span>`)}</p>
<figure class="chart" id="propagation-chart">${propagationChart(points, title)}<figcaption>${series.points.length} measurements</figcaption></figure>
<table class="propagation"><thead><tr><th>Measured</th>${PROPAGATION_STATES.map((s) => html`<th class="num">${s.label}</th>`)}<th class="num">Mirrors</th></tr></thead>
<tbody>${[...series.points].reverse().map(
    (p) => html`<tr><td>${formatTime(p.datetime)}</td>${PROPAGATION_STATES.map((s) => html`<td class="num">${p[s.key]}</td>`)}<td class="num">${PROPAGATION_STATES.reduce((sum, s) => sum + p[s.key], 0)}</td></tr>`,
  )}</tbody></table>`
  return publicPage(context, title, body)
}
