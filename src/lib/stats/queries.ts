/** The statistics the public pages show, read from access_stat / access_stat_day. */
import type { Sql } from '../db/sql.js'
import type { StatCategory } from './access-counter.js'

export interface DailyTotal {
  date: string
  requests: number
}

export interface NamedCount {
  name: string
  requests: number
}

export interface StatisticsOverview {
  /** The last day with data (UTC), or undefined when nothing was ingested. */
  latest?: string
  /** One entry per day of the window ending at `latest`, zero-filled. */
  daily: DailyTotal[]
  topCountries: NamedCount[]
  topRepositories: NamedCount[]
}

const DAY_MS = 86_400_000

export function addDays(date: string, days: number): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + days * DAY_MS).toISOString().slice(0, 10)
}

/** Every day of [first, last], with the totals known, 0 elsewhere. */
export function fillDays(first: string, last: string, known: readonly DailyTotal[]): DailyTotal[] {
  const byDate = new Map(known.map((d) => [d.date, d.requests]))
  const out: DailyTotal[] = []
  for (let date = first; date <= last; date = addDays(date, 1)) out.push({ date, requests: byDate.get(date) ?? 0 })
  return out
}

export async function statisticsOverview(sql: Sql, windowDays: number, top = 10): Promise<StatisticsOverview> {
  const [last] = await sql<{ latest: string | null }[]>`select to_char(max(date), 'YYYY-MM-DD') as latest from access_stat_day`
  if (!last?.latest) return { daily: [], topCountries: [], topRepositories: [] }
  const latest = last.latest
  const first = addDays(latest, -(windowDays - 1))
  const daily = await sql<DailyTotal[]>`
    select to_char(date, 'YYYY-MM-DD') as date, accesses as requests from access_stat_day
    where date between ${first}::date and ${latest}::date order by date`
  const topOf = (category: StatCategory) => sql<NamedCount[]>`
    select s.name, sum(s.requests)::bigint as requests from access_stat s join access_stat_category c on c.id = s.category_id
    where c.name = ${category} and s.date between ${first}::date and ${latest}::date
    group by s.name order by requests desc, s.name limit ${top}`
  return { latest, daily: fillDays(first, latest, daily), topCountries: await topOf('countries'), topRepositories: await topOf('repositories') }
}

export interface StatisticsDay {
  date: string
  category: StatCategory
  rows: { name: string; requests: number; percent: number }[]
  total: number
  previous?: string
  next?: string
}

export async function statisticsDay(sql: Sql, date: string, category: StatCategory): Promise<StatisticsDay> {
  const rows = await sql<{ name: string; requests: number; percent: number | null }[]>`
    select s.name, s.requests, s.percent from access_stat s join access_stat_category c on c.id = s.category_id
    where c.name = ${category} and s.date = ${date}::date order by s.requests desc, s.name`
  const [around] = await sql<{ previous: string | null; next: string | null }[]>`
    select (select to_char(max(s.date), 'YYYY-MM-DD') from access_stat s join access_stat_category c on c.id = s.category_id
             where c.name = ${category} and s.date < ${date}::date) as previous,
           (select to_char(min(s.date), 'YYYY-MM-DD') from access_stat s join access_stat_category c on c.id = s.category_id
             where c.name = ${category} and s.date > ${date}::date) as next`
  return {
    date,
    category,
    rows: rows.map((r) => ({ name: r.name, requests: r.requests, percent: r.percent ?? 0 })),
    total: rows.reduce((sum, r) => sum + r.requests, 0),
    previous: around?.previous ?? undefined,
    next: around?.next ?? undefined,
  }
}

/** The newest day with statistics, else today (UTC). */
export async function latestStatisticsDate(sql: Sql, today: string): Promise<string> {
  const [row] = await sql<{ latest: string | null }[]>`select to_char(max(date), 'YYYY-MM-DD') as latest from access_stat_day`
  return row?.latest ?? today
}
