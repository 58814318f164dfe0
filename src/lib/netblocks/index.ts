export { parseIp, formatIp, type ParsedIp, type IpFamily } from './ip.js'
export { parseCidr, formatCidr, cidrContains, type ParsedCidr } from './cidr.js'
export { PrefixTable, type PrefixMatch } from './prefix-table.js'
