import type { ReportMirrorResult } from './report-mirror.js'

/** `report-mirror -n`: what would have been sent, for a person (the payload itself goes to -o). */
export function renderDryRun(result: ReportMirrorResult): string {
  const lines = [
    `would send to ${result.server} (not sent: -n)`,
    `site: ${result.site ?? '(none)'}`,
    `host: ${result.host ?? '(none)'}`,
    `payload: ${result.payloadBytes} bytes of JSON`,
    'categories:',
    ...result.categories.map((category) => `  ${category.name}: ${category.directories} directories`),
  ]
  if (result.categories.length === 0) lines.push('  (none enabled)')
  return lines.join('\n')
}
