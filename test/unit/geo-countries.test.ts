import t from 'tap'
import { readFileSync } from 'node:fs'
import { continentOfCountry, countryContinents, isContinentCode, isCountryCode } from '../../src/lib/geo/countries.js'

t.test('every ISO 3166-1 alpha-2 code has a continent (checked against tzdata iso3166.tab)', async (t) => {
  let iso: string[]
  try {
    iso = readFileSync('/usr/share/zoneinfo/iso3166.tab', 'utf8')
      .split('\n')
      .filter((line) => /^[A-Z]{2}\t/.test(line))
      .map((line) => line.slice(0, 2))
  } catch {
    t.comment('tzdata not installed: the size check in the next test still applies')
    return
  }
  t.equal(iso.length, 249)
  t.same(iso.filter((code) => !isCountryCode(code)), [], 'no ISO code missing')
  t.same(
    [...countryContinents.keys()].filter((code) => !iso.includes(code)).sort(),
    ['AP', 'EU'],
    'only MaxMind pseudo-codes beyond ISO',
  )
})

t.test('continents follow GeoIP', async (t) => {
  t.equal(countryContinents.size, 251, '249 ISO codes + EU + AP')
  t.equal(continentOfCountry('US'), 'NA')
  t.equal(continentOfCountry('DE'), 'EU')
  t.equal(continentOfCountry('RU'), 'EU')
  t.equal(continentOfCountry('JP'), 'AS')
  t.equal(continentOfCountry('AU'), 'OC')
  t.equal(continentOfCountry('BR'), 'SA')
  t.equal(continentOfCountry('ZA'), 'AF')
  t.equal(continentOfCountry('AQ'), 'AN')
  t.equal(continentOfCountry('EU'), 'EU')
  t.equal(continentOfCountry('AP'), 'AS')
  t.equal(continentOfCountry('us'), undefined, 'lower case is not a code')
  t.equal(continentOfCountry('XX'), undefined)
  t.notOk(isCountryCode('UK'), 'UK is not ISO (GB is)')
  t.ok(isContinentCode('OC'))
  t.notOk(isContinentCode('AP'))
})
