/** The front page (products × versions × arches) and the mirror list. */
import type { MirrorList, PublicMirror } from '../../../lib/public/mirror-list.js'
import { groupByContinent } from '../../../lib/public/mirror-list.js'
import type { ProductMatrix } from '../../../lib/public/product-matrix.js'
import { html, type Html } from '../html.js'
import { formatTime, href, publicPage, type RenderContext } from './common.js'

export function renderIndex(context: RenderContext, matrix: ProductMatrix): Html {
  const body = html`<p>Choose what you want to download to see the mirrors that carry it, or <a href="${href(context, 'mirrors')}">all public mirrors</a>.</p>
${matrix.products.length === 0 ? html`<p class="muted">No products are published yet.</p>` : ''}
${matrix.products.map(
  (product) => html`<h2><a href="${href(context, 'mirrors', product.name)}">${product.name}</a></h2>
<table class="matrix"><thead><tr><th>Version</th>${matrix.arches.map((arch) => html`<th>${arch}</th>`)}</tr></thead>
<tbody>${product.versions.map(
    (version) => html`<tr><th scope="row"><a href="${href(context, 'mirrors', product.name, version.name)}">${version.name}</a></th>${matrix.arches.map((arch) =>
      version.arches.includes(arch) ? html`<td><a href="${href(context, 'mirrors', product.name, version.name, arch)}">${arch}</a></td>` : html`<td class="muted">—</td>`,
    )}</tr>`,
  )}</tbody></table>`,
)}`
  return publicPage(context, 'Mirrors by product', body)
}

/** "for Fedora 41 on x86_64 in SE", from the filters that named something. */
export function filterPhrase(filter: MirrorList['filter']): string {
  let text = ''
  if (filter.product) text += ` for ${filter.product}`
  if (filter.version) text += ` ${filter.version}`
  if (filter.arch) text += ` on ${filter.arch}`
  if (filter.country) text += ` in ${filter.country}`
  return text
}

function state(mirror: PublicMirror): Html {
  if (mirror.upToDate === null) return html`<span class="muted" title="not crawled yet">unknown</span>`
  const when = formatTime(mirror.lastCrawled)
  return mirror.upToDate ? html`<span class="ok" title="crawled ${when}">up to date</span>` : html`<span class="warn" title="crawled ${when}">behind</span>`
}

function mirrorRow(mirror: PublicMirror): Html {
  return html`<tr class="mirror">
<td>${mirror.country}</td>
<td>${mirror.siteUrl && /^https?:\/\//i.test(mirror.siteUrl) ? html`<a href="${mirror.siteUrl}" rel="noopener noreferrer nofollow">${mirror.site}</a>` : mirror.site}</td>
<td>${mirror.host}</td>
<td>${mirror.categories.map((category) => html`<div class="category"><span>${category.name}</span> ${category.urls.map((u) => html`<a class="proto" href="${u.url}" rel="noopener noreferrer nofollow">${u.scheme}</a> `)}</div>`)}</td>
<td class="num">${mirror.bandwidth >= 1000 ? `${mirror.bandwidth / 1000} Gb/s` : `${mirror.bandwidth} Mb/s`}</td>
<td>${mirror.internet2 ? 'Yes' : 'No'}</td>
<td>${state(mirror)}<div class="muted small">${formatTime(mirror.lastCrawled)}</div></td>
<td>${mirror.comment ?? ''}</td>
</tr>`
}

function filterForm(context: RenderContext, list: MirrorList, path: string): Html {
  if (!context.interactive) return html``
  return html`<form class="inline filters" method="get" action="${path}">
<label for="country">Country</label>
<select id="country" name="country"><option value="">all</option>${list.countries.map((c) => html`<option value="${c}"${list.filter.country === c ? ' selected' : ''}>${c}</option>`)}</select>
<label for="sort">Sort by</label>
<select id="sort" name="sort"><option value="country"${list.sort === 'country' ? ' selected' : ''}>country</option><option value="bandwidth"${list.sort === 'bandwidth' ? ' selected' : ''}>bandwidth</option></select>
<button type="submit">Show</button>
</form>`
}

/** `path`: the page's own path (for the form), `jsonPath`: its JSON form. */
export function renderMirrorList(context: RenderContext, list: MirrorList, path: string, jsonPath: string): Html {
  const phrase = filterPhrase(list.filter)
  const n = list.mirrors.length
  const heading = n === 0 ? `There are currently no active mirrors registered${phrase}.` : `We currently have ${n} active mirror${n === 1 ? '' : 's'}${phrase}.`
  const table = (mirrors: readonly PublicMirror[]) => html`<table class="mirrors"><thead><tr><th>Country</th><th>Site</th><th>Mirror</th><th>Content</th><th class="num">Bandwidth</th><th>Internet2</th><th>Last crawl</th><th>Comment</th></tr></thead>
<tbody>${mirrors.map(mirrorRow)}</tbody></table>`
  const body = html`<p class="lead">${heading} <a href="${jsonPath}">JSON</a></p>
${filterForm(context, list, path)}
${n === 0 ? '' : list.sort === 'bandwidth' ? table(list.mirrors) : groupByContinent(list.mirrors).map((group) => html`<h2 id="${group.continent || 'elsewhere'}">${group.name}</h2>${table(group.countries.flatMap((c) => c.mirrors))}`)}`
  return publicPage(context, `Mirrors${phrase}`, body)
}
