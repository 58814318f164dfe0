/**
 * A small, strict XML reader for XML-RPC documents: elements, attributes (read and
 * ignored), text, CDATA, comments, the five named entities and character references.
 * No DTDs (so no entity expansion attacks), no namespaces; bounded nesting depth.
 */
export interface XmlElement {
  readonly name: string
  readonly children: XmlElement[]
  /** The element's own text (CDATA included), children's text excluded. */
  text: string
}

export class XmlError extends Error {}

const MAX_DEPTH = 64
const NAME = /[A-Za-z_:][-A-Za-z0-9_:.]*/y
const ENTITIES: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" }

export function decodeXmlText(raw: string): string {
  return raw.replace(/&(#x[0-9a-fA-F]+|#[0-9]+|[a-z]+);|&/g, (match, entity: string | undefined) => {
    if (entity === undefined) throw new XmlError('a bare "&" in text')
    if (entity.startsWith('#')) {
      const code = entity[1] === 'x' ? parseInt(entity.slice(2), 16) : parseInt(entity.slice(1), 10)
      if (!(code > 0 && code <= 0x10ffff)) throw new XmlError(`bad character reference ${match}`)
      return String.fromCodePoint(code)
    }
    const named = ENTITIES[entity]
    if (named === undefined) throw new XmlError(`unknown entity ${match}`)
    return named
  })
}

export function parseXml(source: string): XmlElement {
  let pos = 0
  const stack: XmlElement[] = []
  let root: XmlElement | undefined
  const expect = (token: string, what: string) => {
    const end = source.indexOf(token, pos)
    if (end < 0) throw new XmlError(`unterminated ${what}`)
    const inner = source.slice(pos, end)
    pos = end + token.length
    return inner
  }
  while (pos < source.length) {
    const lt = source.indexOf('<', pos)
    const text = source.slice(pos, lt < 0 ? source.length : lt)
    if (stack.length > 0) stack[stack.length - 1].text += decodeXmlText(text)
    else if (text.trim() !== '' && !(pos === 0 && text === '\ufeff')) throw new XmlError('text outside the document element')
    if (lt < 0) break
    pos = lt
    if (source.startsWith('<?', pos)) {
      pos += 2
      expect('?>', 'processing instruction')
    } else if (source.startsWith('<!--', pos)) {
      pos += 4
      expect('-->', 'comment')
    } else if (source.startsWith('<![CDATA[', pos)) {
      pos += 9
      const data = expect(']]>', 'CDATA section')
      if (stack.length === 0) throw new XmlError('CDATA outside the document element')
      stack[stack.length - 1].text += data
    } else if (source.startsWith('<!', pos)) {
      throw new XmlError('DOCTYPE and other declarations are not accepted')
    } else if (source.startsWith('</', pos)) {
      pos += 2
      const name = expect('>', 'end tag').trim()
      const open = stack.pop()
      if (!open || open.name !== name) throw new XmlError(`end tag </${name}> does not match`)
    } else {
      pos += 1
      NAME.lastIndex = pos
      const match = NAME.exec(source)
      if (!match) throw new XmlError('bad element name')
      pos += match[0].length
      const rest = readTagRest(source, pos)
      pos = rest.end
      const element: XmlElement = { name: match[0], children: [], text: '' }
      if (stack.length > 0) stack[stack.length - 1].children.push(element)
      else if (root) throw new XmlError('more than one document element')
      else root = element
      if (!rest.selfClosing) stack.push(element)
      if (stack.length > MAX_DEPTH) throw new XmlError('elements nested too deeply')
    }
  }
  if (!root) throw new XmlError('no document element')
  if (stack.length > 0) throw new XmlError(`<${stack[stack.length - 1].name}> is not closed`)
  return root
}

/** Skips attributes (quoted values may hold '>') up to the end of a start tag. */
function readTagRest(source: string, from: number): { end: number; selfClosing: boolean } {
  let quote: string | undefined
  for (let i = from; i < source.length; i++) {
    const char = source[i]
    if (quote) {
      if (char === quote) quote = undefined
    } else if (char === '"' || char === "'") quote = char
    else if (char === '<') throw new XmlError('"<" inside a tag')
    else if (char === '>') return { end: i + 1, selfClosing: source[i - 1] === '/' }
  }
  throw new XmlError('unterminated start tag')
}

// Characters XML 1.0 cannot carry at all, even escaped (C0 controls but tab, LF, CR; lone surrogates; U+FFFE/U+FFFF).
const NOT_XML = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g

/** Text content, escaped; characters XML cannot carry become U+FFFD (a reply stays parseable). */
export function escapeXmlText(text: string): string {
  return text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;').replace(NOT_XML, '\ufffd')
}
