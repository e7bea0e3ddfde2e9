/**
 * Escaping for the report page: text into HTML, and JSON into a <script type="application/json">
 * block. JSON is safe inside a script element only when no `</script`, `<!--` or U+2028/9 can
 * appear in it, so `<` and the two line separators are written as \u escapes.
 */
const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Text (or an attribute value) as HTML. */
export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c]!);
}

const UNSAFE_IN_SCRIPT = /[<\u2028\u2029]/;
const JSON_ESCAPES: Record<string, string> = { '<': '\\u003c', '\u2028': '\\u2028', '\u2029': '\\u2029' };

/** A JSON value as the text of a <script type="application/json"> element. */
export function scriptJson(value: unknown): string {
  const json = JSON.stringify(value);
  // Megabytes of numbers rarely hold any of these: a test is much cheaper than a replace.
  return UNSAFE_IN_SCRIPT.test(json) ? json.replace(/[<\u2028\u2029]/g, (c) => JSON_ESCAPES[c]!) : json;
}

/** A script's source inside <script>: only `</script` could end it early. */
export function scriptText(js: string): string {
  return js.replace(/<\/script/gi, '<\\/script');
}
