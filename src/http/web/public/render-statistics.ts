/** /statistics (the last 30/90 days) and /statistics/<date>/<category> (one day's table). */
import type { StatCategory } from '../../../lib/stats/access-counter.js'
import type { StatisticsDay, StatisticsOverview } from '../../../lib/stats/queries.js'
import { dailyRequestsChart, topChart } from '../charts/svg.js'
import { html, type Html } from '../html.js'
import { href, publicPage, type RenderContext } from './common.js'

export const DAY_CATEGORIES: readonly { category: StatCategory; label: string }[] = [
  { category: 'countries', label: 'country' },
  { category: 'archs', label: 'architecture' },
  { category: 'repositories', label: 'repository' },
  { category: 'categories', label: 'category' },
]

export function renderStatisticsOverview(context: RenderContext, overview: StatisticsOverview, windowDays: number): Html {
  const total = overview.daily.reduce((sum, d) => sum + d.requests, 0)
  const windows = [30, 90].map((days) =>
    days === windowDays ? html` <strong>${days} days</strong>` : context.interactive ? html` <a href="${href(context, 'statistics')}?days=${days}">${days} days</a>` : '',
  )
  const body = overview.latest
    ? html`<p class="lead">${total.toLocaleString('en')} mirror list requests over the ${windowDays} days up to ${overview.latest} (UTC). ${windows}</p>
<figure class="chart" id="daily">${dailyRequestsChart(overview.daily, `Requests per day, last ${windowDays} days`)}<figcaption>Requests per day (metalink and mirror list answers for a repository)</figcaption></figure>
<div class="two-columns">
<figure class="chart" id="top-countries">${topChart(overview.topCountries, 'Top countries')}<figcaption>Top countries, ${windowDays} days</figcaption></figure>
<figure class="chart" id="top-repositories">${topChart(overview.topRepositories, 'Top repositories', '#23833b')}<figcaption>Top repositories, ${windowDays} days</figcaption></figure>
</div>
<h2>Days</h2>
<table class="days"><thead><tr><th>Day</th><th class="num">Requests</th></tr></thead><tbody>${[...overview.daily].reverse().map(
        (d) => html`<tr><td>${d.requests > 0 ? html`<a href="${href(context, 'statistics', d.date)}">${d.date}</a>` : d.date}</td><td class="num">${d.requests}</td></tr>`,
      )}</tbody></table>`
    : html`<p class="lead">No statistics yet. They come from the serve-mirrorlist access log: run <code>mirrormanager stats ingest LOG</code>.</p>`
  return publicPage(context, 'Statistics', body)
}

export function renderStatisticsDay(context: RenderContext, day: StatisticsDay): Html {
  const label = DAY_CATEGORIES.find((c) => c.category === day.category)!.label
  const links = DAY_CATEGORIES.map((c, i) => {
    const link = c.category === day.category ? html`<strong>${c.label}</strong>` : html`<a href="${href(context, 'statistics', day.date, c.category)}">${c.label}</a>`
    return i === 0 ? link : html` | ${link}`
  })
  const pager = html`<p class="pager">${day.previous ? html`<a rel="prev" href="${href(context, 'statistics', day.previous, day.category)}">&lt; ${day.previous}</a>` : ''} ${day.date} ${day.next ? html`<a rel="next" href="${href(context, 'statistics', day.next, day.category)}">${day.next} &gt;</a>` : ''}</p>`
  const top = day.rows.slice(0, 15).map((r) => ({ name: r.name, requests: r.requests }))
  const body = html`<p>By ${links}</p>${pager}
${day.rows.length === 0 ? html`<p class="muted">No requests recorded for ${day.date}.</p>` : html`<figure class="chart narrow" id="day-chart">${topChart(top, `Requests by ${label}, ${day.date}`)}<figcaption>The ${Math.min(15, day.rows.length)} largest of ${day.rows.length}</figcaption></figure>
<table class="stats"><thead><tr><th>${label}</th><th class="num">Share</th><th class="num">Requests</th></tr></thead>
<tbody>${day.rows.map((r) => html`<tr><td>${r.name}</td><td class="num">${r.percent.toFixed(4)} %</td><td class="num">${r.requests}</td></tr>`)}
<tr class="total"><th>Total</th><th></th><th class="num">${day.total}</th></tr></tbody></table>`}`
  return publicPage(context, `Statistics for ${day.date}`, body)
}
