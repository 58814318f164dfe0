/**
 * Request values the answers echo back (path=, repo=, arch=, protocol= in the header
 * line; the file name of a metalink 404) are hostile. Two rules keep them inert:
 *
 * - `echoable`: characters that may not appear in XML at all (C0 controls but tab, DEL,
 *   C1 controls, lone surrogates, U+FFFE/U+FFFF) are percent-encoded, so a newline can
 *   never start a line of a mirror list and a metalink stays well-formed;
 * - `commentText`: inside `<!-- ... -->` (the metalink failure document) `--` may not
 *   appear; every `-` followed by another `-` gets a space after it.
 *
 * Ordinary names contain none of these: the common case is one regex test, and the
 * bytes of normal answers do not change.
 */
// eslint-disable-next-line no-control-regex
const NOT_ECHOABLE = /[\u0000-\u0008\u000a-\u001f\u007f-\u009f\ufffe\uffff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g
// eslint-disable-next-line no-control-regex
const NOT_ECHOABLE_TEST = /[\u0000-\u0008\u000a-\u001f\u007f-\u009f\ud800-\udfff\ufffe\uffff]/

function percentEncode(character: string): string {
  // lone surrogates have no UTF-8 form: encode them as U+FFFD's bytes
  const bytes = Buffer.from(character.length === 1 && character >= '\ud800' && character <= '\udfff' ? '\ufffd' : character)
  let text = ''
  for (const byte of bytes) text += `%${byte.toString(16).toUpperCase().padStart(2, '0')}`
  return text
}

/** `text` with every character that must not be echoed percent-encoded. */
export function echoable(text: string): string {
  if (!NOT_ECHOABLE_TEST.test(text)) return text
  return text.replace(NOT_ECHOABLE, percentEncode)
}

/** `text` (whose echoed parts went through `echoable`) safe inside an XML comment: no `--`. */
export function commentText(text: string): string {
  return text.includes('--') ? text.replace(/-(?=-)/g, '- ') : text
}
