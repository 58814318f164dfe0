/** `stats expire`: forgets access statistics (and optionally propagation rows) older than N days. */
import { inTransaction, type Sql } from '../db/sql.js'
import { ValidationError } from '../errors.js'

export interface ExpireOptions {
  /** Access statistics of today (UTC) and the days − 1 days before it are kept. */
  days: number
  /** When set, propagation measurements older than this many days go too. */
  propagationDays?: number
}

export interface ExpireResult {
  accessStats: number
  days: number
  propagationStats: number
}

export async function expireStatistics(sql: Sql, options: ExpireOptions): Promise<ExpireResult> {
  for (const [name, value] of [['days', options.days], ['propagation-days', options.propagationDays]] as const) {
    if (value !== undefined && (!Number.isInteger(value) || value < 0)) throw new ValidationError(`--${name} must be a whole number of days ≥ 0`, { field: name })
  }
  return inTransaction(sql, async (tx) => {
    // --days 30 keeps today and the 29 days before it (MirrorManager2: the day today−30 goes)
    const cutoff = tx`(now() at time zone 'UTC')::date - ${options.days}::int + 1`
    const stats = await tx`delete from access_stat where date < ${cutoff}`
    const days = await tx`delete from access_stat_day where date < ${cutoff}`
    let propagationStats = 0
    if (options.propagationDays !== undefined) {
      propagationStats = (await tx`delete from propagation_stat where datetime < now() - make_interval(days => ${options.propagationDays}::int)`).count
    }
    return { accessStats: stats.count, days: days.count, propagationStats }
  })
}
