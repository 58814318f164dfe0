/**
 * Flags shared by the add and update commands of one admin resource, and how their
 * values become the library's field objects (validation happens in the library).
 */
import * as Flags from '@oclif/core/flags'
import type { CategoryFields } from '../catalog/categories.js'
import type { VersionFields } from '../catalog/versions.js'
import type { HostFields } from '../hosts/hosts.js'
import type { SiteFields } from '../sites/sites.js'
import { integer } from '../validate/number.js'

export const productFlag = Flags.string({ summary: 'Product the version belongs to.', required: true })

export const versionFlags = {
  'is-test': Flags.boolean({ summary: 'A test (pre-release) version.', allowNo: true }),
  display: Flags.boolean({ summary: 'Show the version on the public mirror list.', allowNo: true }),
  'display-name': Flags.string({ summary: 'Name shown to people, e.g. "Fedora 41".' }),
  sortorder: Flags.string({ summary: 'Sort position (higher first).' }),
  codename: Flags.string({ summary: 'Release code name.' }),
  'ordered-mirrorlist': Flags.boolean({ summary: 'Keep mirror lists in preference order instead of shuffling.', allowNo: true }),
}

export function versionFields(flags: { [K in keyof typeof versionFlags]?: unknown }): VersionFields {
  return {
    isTest: flags['is-test'] as boolean | undefined,
    display: flags.display as boolean | undefined,
    displayName: flags['display-name'] as string | undefined,
    sortorder: flags.sortorder === undefined ? undefined : integer(flags.sortorder as string, 'sortorder'),
    codename: flags.codename as string | undefined,
    orderedMirrorlist: flags['ordered-mirrorlist'] as boolean | undefined,
  }
}

export const categoryFlags = {
  product: Flags.string({ summary: 'Product the category belongs to.' }),
  topdir: Flags.string({ summary: 'Top directory in the master tree, e.g. pub/fedora/linux (created if missing).' }),
  'admin-only': Flags.boolean({ summary: 'Only admins may add this category to a host.', allowNo: true }),
  publiclist: Flags.boolean({ summary: 'Show the category on the public mirror list.', allowNo: true }),
  'canonical-host': Flags.string({ summary: 'The master download URL, e.g. https://dl.fedoraproject.org.' }),
  'geo-dns-domain': Flags.string({ summary: 'GeoDNS domain serving this category.' }),
}

export function categoryFields(flags: { [K in keyof typeof categoryFlags]?: unknown }): CategoryFields {
  return {
    product: flags.product as string | undefined,
    topdir: flags.topdir as string | undefined,
    adminOnly: flags['admin-only'] as boolean | undefined,
    publiclist: flags.publiclist as boolean | undefined,
    canonicalHost: flags['canonical-host'] as string | undefined,
    geoDnsDomain: flags['geo-dns-domain'] as string | undefined,
  }
}

export const siteFlags = {
  'org-url': Flags.string({ summary: 'The organisation\'s web page (http or https).' }),
  private: Flags.boolean({ summary: 'A private site: its hosts serve only their own netblocks.', allowNo: true }),
  'admin-active': Flags.boolean({ summary: 'Enabled by the mirror network admins.', allowNo: true }),
  'user-active': Flags.boolean({ summary: 'Enabled by the site\'s own admins.', allowNo: true }),
  'created-by': Flags.string({ summary: 'Who asked for the site (free text).' }),
  'all-sites-can-pull-from-me': Flags.boolean({ summary: 'Any site may sync from this one.', allowNo: true }),
  'downstream-comments': Flags.string({ summary: 'Notes for sites pulling from this one.' }),
  'email-on-drop': Flags.boolean({ summary: 'Email the site admins when a host is dropped.', allowNo: true }),
  'email-on-add': Flags.boolean({ summary: 'Email the site admins when a host is added.', allowNo: true }),
}

export function siteFields(flags: { [K in keyof typeof siteFlags]?: unknown }): SiteFields {
  return {
    orgUrl: flags['org-url'] as string | undefined,
    private: flags.private as boolean | undefined,
    adminActive: flags['admin-active'] as boolean | undefined,
    userActive: flags['user-active'] as boolean | undefined,
    createdBy: flags['created-by'] as string | undefined,
    allSitesCanPullFromMe: flags['all-sites-can-pull-from-me'] as boolean | undefined,
    downstreamComments: flags['downstream-comments'] as string | undefined,
    emailOnDrop: flags['email-on-drop'] as boolean | undefined,
    emailOnAdd: flags['email-on-add'] as boolean | undefined,
  }
}

export const hostFlags = {
  country: Flags.string({ summary: 'ISO 3166-1 alpha-2 country the host is in, e.g. DE.' }),
  bandwidth: Flags.string({ summary: 'Bandwidth in Mbit/s (a positive whole number); bigger hosts get more clients.' }),
  private: Flags.boolean({ summary: 'A private host: only clients in its netblocks/ASN get it.', allowNo: true }),
  internet2: Flags.boolean({ summary: 'The host is on Internet2.', allowNo: true }),
  'internet2-clients': Flags.boolean({ summary: 'Serve Internet2 clients.', allowNo: true }),
  asn: Flags.string({ summary: 'The host\'s autonomous system number ("" to clear).' }),
  'asn-clients': Flags.boolean({ summary: 'Prefer this host for clients in its ASN.', allowNo: true }),
  'max-connections': Flags.string({ summary: 'Parallel connections one client may open (metalink).' }),
  'admin-active': Flags.boolean({ summary: 'Enabled by the mirror network admins.', allowNo: true }),
  'user-active': Flags.boolean({ summary: 'Enabled by the site\'s admins.', allowNo: true }),
  comment: Flags.string({ summary: 'Free-text comment.' }),
  'robot-email': Flags.string({ summary: 'Address for automated mail about this host.' }),
}

export function hostFields(flags: { [K in keyof typeof hostFlags]?: unknown }): HostFields {
  return {
    country: flags.country as string | undefined,
    bandwidth: flags.bandwidth as string | undefined,
    private: flags.private as boolean | undefined,
    internet2: flags.internet2 as boolean | undefined,
    internet2Clients: flags['internet2-clients'] as boolean | undefined,
    asn: flags.asn as string | undefined,
    asnClients: flags['asn-clients'] as boolean | undefined,
    maxConnections: flags['max-connections'] as string | undefined,
    adminActive: flags['admin-active'] as boolean | undefined,
    userActive: flags['user-active'] as boolean | undefined,
    comment: flags.comment as string | undefined,
    robotEmail: flags['robot-email'] as string | undefined,
  }
}
