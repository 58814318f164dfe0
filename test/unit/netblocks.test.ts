import t from 'tap'
import { parseIp, formatIp, parseCidr, formatCidr, cidrContains, PrefixTable } from '../../src/lib/netblocks/index.js'
import { ValidationError } from '../../src/lib/errors.js'

t.test('parseIp: IPv4, IPv6, IPv4-mapped IPv6, and garbage', async (t) => {
  t.same(parseIp('192.0.2.1'), { family: 4, words: [0xc0000201] })
  t.same(parseIp('0.0.0.0'), { family: 4, words: [0] })
  t.same(parseIp('255.255.255.255'), { family: 4, words: [0xffffffff] })
  t.same(parseIp('::ffff:192.0.2.1'), { family: 4, words: [0xc0000201] }, 'v4-mapped becomes IPv4')
  t.same(parseIp('::FFFF:c000:0201'), { family: 4, words: [0xc0000201] }, 'v4-mapped in hex too')
  t.same(parseIp('2001:db8::1'), { family: 6, words: [0x20010db8, 0, 0, 1] })
  t.same(parseIp('::'), { family: 6, words: [0, 0, 0, 0] })
  t.same(parseIp('::1'), { family: 6, words: [0, 0, 0, 1] })
  t.same(parseIp('fe80::'), { family: 6, words: [0xfe800000, 0, 0, 0] })
  t.same(parseIp('1:2:3:4:5:6:7:8'), { family: 6, words: [0x10002, 0x30004, 0x50006, 0x70008] })
  t.same(parseIp('64:ff9b::192.0.2.1'), { family: 6, words: [0x0064ff9b, 0, 0, 0xc0000201] })
  for (const bad of [
    '', 'x', '1.2.3', '1.2.3.4.5', '256.1.1.1', '1.2.3.-1', '01.2.3.4', '1..2.3', '1.2.3.4 ', ' 1.2.3.4',
    ':::', '1::2::3', '1:2:3:4:5:6:7:8:9', '12345::', 'g::1', '1:2:3:4:5:6:7', 'fe80::1%eth0',
    '::ffff:1.2.3', '[::1]', '1.2.3.4/24',
  ]) {
    t.equal(parseIp(bad), undefined, `refuses ${JSON.stringify(bad)}`)
  }
})

t.test('formatIp: canonical text', async (t) => {
  for (const [input, output] of [
    ['192.0.2.1', '192.0.2.1'],
    ['2001:0DB8:0:0:0:0:0:1', '2001:db8::1'],
    ['2001:db8:0:1:0:0:0:1', '2001:db8:0:1::1'],
    ['::', '::'],
    ['1:0:2:3:4:5:6:7', '1:0:2:3:4:5:6:7'],
  ] as const) {
    t.equal(formatIp(parseIp(input)!), output)
  }
})

t.test('parseCidr: prefix, bare address, dotted netmask, v4-mapped, host bits', async (t) => {
  t.equal(formatCidr(parseCidr('192.0.2.0/24')!), '192.0.2.0/24')
  t.equal(formatCidr(parseCidr('192.0.2.77/24')!), '192.0.2.0/24', 'host bits cleared')
  t.equal(formatCidr(parseCidr('192.0.2.77')!), '192.0.2.77/32', 'bare IPv4 is /32')
  t.equal(formatCidr(parseCidr('2001:db8::1')!), '2001:db8::1/128', 'bare IPv6 is /128')
  t.equal(formatCidr(parseCidr('10.1.2.3/255.255.0.0')!), '10.1.0.0/16', 'dotted netmask')
  t.equal(formatCidr(parseCidr('10.1.2.3/0.0.0.0')!), '0.0.0.0/0')
  t.equal(formatCidr(parseCidr('::ffff:192.0.2.0/120')!), '192.0.2.0/24', 'v4-mapped block')
  t.equal(formatCidr(parseCidr('2001:db8:abcd::/35')!), '2001:db8:a000::/35')
  t.equal(formatCidr(parseCidr('0.0.0.0/0')!), '0.0.0.0/0')
  t.equal(formatCidr(parseCidr('::/0')!), '::/0')
  for (const bad of ['192.0.2.0/33', '192.0.2.0/', '192.0.2.0/x', '10.0.0.0/255.0.255.0', '2001:db8::/129',
    '::ffff:1.2.3.4/64', 'example.org', '', '/24', '1.2.3.4/24/1', '2001:db8::/255.255.0.0']) {
    t.equal(parseCidr(bad), undefined, `refuses ${JSON.stringify(bad)}`)
  }
  const block = parseCidr('10.0.0.0/8')!
  t.ok(cidrContains(block, parseIp('10.255.1.2')!))
  t.notOk(cidrContains(block, parseIp('11.0.0.0')!))
  t.notOk(cidrContains(block, parseIp('::a00:1')!), 'no cross-family match')
})

t.test('PrefixTable: longest prefix wins, nested and disjoint blocks, both families', async (t) => {
  const table = new PrefixTable<string>()
  table.add('10.0.0.0/8', 'ten')
  table.add('10.1.0.0/16', 'ten-one')
  table.add('10.1.2.0/24', 'ten-one-two')
  table.add('10.2.0.0/16', 'ten-two')
  table.add('192.0.2.1', 'single')
  table.add('0.0.0.0/0', 'default')
  table.add('2001:db8::/32', 'doc')
  table.add('2001:db8:1::/48', 'doc-1')
  table.build()
  t.equal(table.size, 8)
  t.equal(table.lookup('10.1.2.3'), 'ten-one-two')
  t.equal(table.lookup('10.1.3.3'), 'ten-one')
  t.equal(table.lookup('10.3.0.1'), 'ten', 'after a sibling block: back to the enclosing one')
  t.equal(table.lookup('10.2.255.255'), 'ten-two')
  t.equal(table.lookup('192.0.2.1'), 'single')
  t.equal(table.lookup('192.0.2.2'), 'default')
  t.equal(table.lookup('255.255.255.255'), 'default')
  t.equal(table.lookup('::ffff:10.1.2.200'), 'ten-one-two', 'v4-mapped client matches IPv4 blocks')
  t.equal(table.lookup('2001:db8:1:2::5'), 'doc-1')
  t.equal(table.lookup('2001:db8:2::5'), 'doc')
  t.equal(table.lookup('2001:db9::'), undefined, 'no IPv6 default route added')
  t.equal(table.lookup('not-an-ip'), undefined)
  t.same(
    table.lookupAll('10.1.2.3').map((m) => [m.prefixLength, m.value]),
    [[24, 'ten-one-two'], [16, 'ten-one'], [8, 'ten'], [0, 'default']],
    'lookupAll: most specific first',
  )
  t.same(table.lookupMatch('10.2.0.1'), { prefixLength: 16, value: 'ten-two' })
})

t.test('PrefixTable: a repeated block keeps the last value, also across builds', async (t) => {
  const table = new PrefixTable<number>()
  table.add('192.0.2.0/24', 1)
  table.add('192.0.2.9/24', 2)
  table.build()
  t.equal(table.size, 1)
  t.equal(table.lookup('192.0.2.5'), 2)
  table.add('192.0.2.0/24', 3)
  table.add('198.51.100.0/24', 4)
  t.equal(table.lookup('192.0.2.5'), 3, 'added after build, rebuilt on lookup')
  t.equal(table.lookup('198.51.100.1'), 4)
  t.equal(table.size, 2)
})

/** A deterministic [0, 1) sequence (a linear congruential generator) for the random-table tests. */
function seededRandom(seed: number): () => number {
  return () => {
    seed = (seed * 1103515245 + 12345) % 2147483648
    return seed / 2147483648
  }
}

type Block = { cidr: ReturnType<typeof parseCidr> & object; value: number }

/** The brute-force answer: the value of the longest block containing `ip` (of equal blocks, the last added). */
function longestMatch(blocks: readonly Block[], ip: ReturnType<typeof parseIp> & object): number | undefined {
  let best: { length: number; value: number } | undefined
  for (const block of blocks) {
    if (!cidrContains(block.cidr, ip)) continue
    if (!best || block.cidr.prefixLength >= best.length) best = { length: block.cidr.prefixLength, value: block.value }
  }
  return best?.value
}

t.test('PrefixTable of more blocks than its top index needs: lookups equal a brute-force scan, across 16-bit boundaries', async (t) => {
  const random = seededRandom(777)
  // 6,000 IPv4 blocks from /6 to /32 in 8.0.0.0-15.255.255.255: many /16 ranges, blocks
  // that span several of them, and addresses whose /16 range holds no block start
  const blocks: Block[] = []
  const table = new PrefixTable<number>()
  const address = () => `${8 + Math.floor(random() * 8)}.${Math.floor(random() * 256)}.${Math.floor(random() * 256)}.${Math.floor(random() * 256)}`
  for (let i = 0; i < 6000; i++) {
    const text = `${address()}/${6 + Math.floor(random() * 27)}`
    blocks.push({ cidr: parseCidr(text)!, value: i })
    table.add(text, i)
  }
  table.build()
  let mismatches = 0
  for (let i = 0; i < 3000; i++) {
    const ip = parseIp(i % 10 === 0 ? `${Math.floor(random() * 256)}.1.2.3` : address())!
    if (table.lookup(ip) !== longestMatch(blocks, ip)) mismatches++
  }
  t.equal(mismatches, 0, 'every lookup equals the brute-force longest match')
  const copy = PrefixTable.thaw(table.frozen())
  t.equal(copy.lookup('12.34.56.78'), table.lookup('12.34.56.78'), 'a table thawed from frozen arrays answers the same')
})

t.test('PrefixTable: bad input throws ValidationError', async (t) => {
  const table = new PrefixTable<number>()
  t.throws(() => table.add('mirror.example.org', 1), ValidationError)
  t.equal(new PrefixTable().lookup('1.2.3.4'), undefined, 'empty table')
})

t.test('PrefixTable agrees with a brute-force scan on random nested blocks', async (t) => {
  const random = seededRandom(12345)
  const blocks: Block[] = []
  const table = new PrefixTable<number>()
  for (let i = 0; i < 2000; i++) {
    const v6 = random() < 0.3
    const text = v6
      ? `2001:db8:${Math.floor(random() * 4).toString(16)}:${Math.floor(random() * 65536).toString(16)}::/${32 + Math.floor(random() * 40)}`
      : `10.${Math.floor(random() * 4)}.${Math.floor(random() * 256)}.${Math.floor(random() * 256)}/${8 + Math.floor(random() * 25)}`
    blocks.push({ cidr: parseCidr(text)!, value: i })
    table.add(text, i)
  }
  table.build()
  // the same blocks added in sort order (as `netblocks global` writes its file) take the
  // path that skips the sort; stable order keeps "last duplicate wins"
  const compareBlocks = (a: (typeof blocks)[number], b: (typeof blocks)[number]): number => {
    if (a.cidr.family !== b.cidr.family) return a.cidr.family - b.cidr.family
    for (let w = 0; w < a.cidr.words.length; w++) if (a.cidr.words[w] !== b.cidr.words[w]) return a.cidr.words[w]! - b.cidr.words[w]!
    return a.cidr.prefixLength - b.cidr.prefixLength
  }
  const inOrder = new PrefixTable<number>()
  for (const block of [...blocks].sort(compareBlocks)) inOrder.add(block.cidr, block.value)
  inOrder.build()
  t.equal(inOrder.size, table.size, 'same blocks kept either way')
  let mismatches = 0
  let orderMismatches = 0
  for (let i = 0; i < 3000; i++) {
    const v6 = random() < 0.3
    const address = v6
      ? `2001:db8:${Math.floor(random() * 4).toString(16)}:${Math.floor(random() * 65536).toString(16)}::${Math.floor(random() * 65536).toString(16)}`
      : `10.${Math.floor(random() * 4)}.${Math.floor(random() * 256)}.${Math.floor(random() * 256)}`
    const ip = parseIp(address)!
    const best = longestMatch(blocks, ip)
    if (table.lookup(ip) !== best) mismatches++
    if (inOrder.lookup(ip) !== best) orderMismatches++
  }
  t.equal(mismatches, 0, 'every lookup equals the brute-force longest match (last duplicate wins)')
  t.equal(orderMismatches, 0, 'also when the blocks come in sort order')
})
