/** XML text escaping for the metalink (and for what the snapshot pre-renders). */
const XML_SPECIAL = /[&<>"]/

/** Escapes text for XML; the common case (nothing to escape) is one regex test. */
export function escapeXml(text: string): string {
  if (!XML_SPECIAL.test(text)) return text
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;')
}
