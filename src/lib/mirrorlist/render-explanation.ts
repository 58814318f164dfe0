/**
 * The explain=1 answer (only when the server enables it): the normal header line, then
 * one comment line per host: its position and tier, or why it was left out.
 */
import type { Selection } from './select.js'

export function renderExplanation(headerLine: string, selection: Selection): string {
  let body = `${headerLine}\n# client country: ${selection.clientCountry}; answered by: ${selection.tier}\n`
  for (const line of selection.explanation ?? []) {
    const place = line.position === undefined ? '-' : String(line.position)
    body += `# ${place} host ${line.hostId} ${line.hostName} (${line.country}): ${line.reason}\n`
  }
  return body
}
