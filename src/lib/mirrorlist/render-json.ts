/**
 * `format=json` on /mirrorlist: the chosen hosts in answer order, for scripts and
 * dashboards. Shape (documented in README, "Answer formats"):
 *
 *     { "snapshot": 1700000000, "header": "# repo = ... ", "clientCountry": "SE",
 *       "mirrors": [ { "host": "mirror.example.se", "country": "SE", "tier": "country",
 *                      "url": "https://...", "urls": ["https://...", "rsync://..."],
 *                      "bandwidth": 1000 }, ... ] }
 *
 * `url` is what the plain list shows for the host (its first https, http or ftp URL,
 * or the first URL protocol= kept); `urls` every URL of it. `bandwidth` is the clamped
 * weight the ordering used.
 */
import type { MirrorUrls } from './mirror-urls.js'
import type { Selection } from './select.js'

export const JSON_CONTENT_TYPE = 'application/json'

export function renderJson(snapshotCreatedAt: number, headerLine: string, selection: Selection, protocolGiven: boolean): string {
  const tierOf = new Map<number, string>()
  for (const tier of selection.tiers) for (const hostIndex of tier.hosts) if (!tierOf.has(hostIndex)) tierOf.set(hostIndex, tier.tier)
  const suffix = selection.urlSuffix
  const mirrors = selection.mirrors.map((mirror: MirrorUrls) => {
    const shown = (!protocolGiven && mirror.plain) || mirror.urls[0]!
    return {
      host: mirror.host.name,
      country: mirror.host.country,
      tier: tierOf.get(mirror.host.index) ?? selection.tier,
      url: shown.url + suffix,
      urls: mirror.urls.map((url) => url.url + suffix),
      bandwidth: mirror.host.bandwidth,
    }
  })
  return `${JSON.stringify({ snapshot: snapshotCreatedAt, header: headerLine, clientCountry: selection.clientCountry, mirrors }, null, 1)}\n`
}
