/**
 * ISO 3166-1 alpha-2 country codes and the continent each belongs to, using the
 * continent codes of MaxMind/GeoIP (AF, AN, AS, EU, NA, OC, SA) so a country from a GeoIP
 * lookup and a country typed by an admin land in the same place.
 *
 * Besides the 249 officially assigned ISO codes, MaxMind's legacy databases use two
 * pseudo-codes for ranges they could only place on a continent: `EU` (Europe) and `AP`
 * (Asia/Pacific). They are accepted as countries mapped to EU and AS. Transcontinental
 * countries follow GeoIP: RU and TR are Europe; CY, GE, AM, AZ, KZ are Asia; EG is
 * Africa; UM is Oceania.
 */

export type ContinentCode = 'AF' | 'AN' | 'AS' | 'EU' | 'NA' | 'OC' | 'SA'

export const continentNames: ReadonlyMap<ContinentCode, string> = new Map<ContinentCode, string>([
  ['AF', 'Africa'],
  ['AN', 'Antarctica'],
  ['AS', 'Asia'],
  ['EU', 'Europe'],
  ['NA', 'North America'],
  ['OC', 'Oceania'],
  ['SA', 'South America'],
])

// One line per continent, codes in alphabetical order (easy to review against ISO 3166).
const countriesByContinent: Record<ContinentCode, string> = {
  AF:
    'AO BF BI BJ BW CD CF CG CI CM CV DJ DZ EG EH ER ET GA GH GM GN GQ GW KE KM LR LS LY MA MG ' +
    'ML MR MU MW MZ NA NE NG RE RW SC SD SH SL SN SO SS ST SZ TD TG TN TZ UG YT ZA ZM ZW',
  AN: 'AQ BV GS HM TF',
  AS:
    'AE AF AM AP AZ BD BH BN BT CC CN CX CY GE HK ID IL IN IO IQ IR JO JP KG KH KP KR KW KZ LA ' +
    'LB LK MM MN MO MV MY NP OM PH PK PS QA SA SG SY TH TJ TL TM TW UZ VN YE',
  EU:
    'AD AL AT AX BA BE BG BY CH CZ DE DK EE ES EU FI FO FR GB GG GI GR HR HU IE IM IS IT JE LI ' +
    'LT LU LV MC MD ME MK MT NL NO PL PT RO RS RU SE SI SJ SK SM TR UA VA',
  NA:
    'AG AI AW BB BL BM BQ BS BZ CA CR CU CW DM DO GD GL GP GT HN HT JM KN KY LC MF MQ MS MX NI ' +
    'PA PM PR SV SX TC TT US VC VG VI',
  OC: 'AS AU CK FJ FM GU KI MH MP NC NF NR NU NZ PF PG PN PW SB TK TO TV UM VU WF WS',
  SA: 'AR BO BR CL CO EC FK GF GY PE PY SR UY VE',
}

/** Country code (upper case) -> continent code. 249 ISO codes plus MaxMind's EU and AP. */
export const countryContinents: ReadonlyMap<string, ContinentCode> = new Map(
  (Object.entries(countriesByContinent) as [ContinentCode, string][]).flatMap(([continent, codes]) =>
    codes.split(' ').map((code) => [code, continent] as const),
  ),
)

/** True for an ISO 3166-1 alpha-2 code (or MaxMind's EU/AP), in upper case. */
export function isCountryCode(code: string): boolean {
  return countryContinents.has(code)
}

/** True for a MaxMind continent code (AF, AN, AS, EU, NA, OC, SA), in upper case. */
export function isContinentCode(code: string): code is ContinentCode {
  return continentNames.has(code as ContinentCode)
}

/** The continent of a country code (upper case), or undefined for an unknown code. */
export function continentOfCountry(code: string): ContinentCode | undefined {
  return countryContinents.get(code)
}
