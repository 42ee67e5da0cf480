/**
 * Text from a chat platform is not always valid Unicode: clients can send lone UTF-16 surrogates,
 * NUL and other control characters, which Postgres refuses in a text column (or which break HTML
 * parsing on the way back out). Adapters pass every string a user typed (commands, arguments,
 * display names, autocomplete text) through `cleanPlatformText` before the core sees it.
 *
 * Removed: lone surrogates, C0 controls except `\n` and `\t`, DEL, and Unicode non-characters
 * (U+FDD0..U+FDEF and the last two code points of every plane).
 */
const INVALID = new RegExp(
  [
    '[\\uD800-\\uDBFF](?![\\uDC00-\\uDFFF])', // a high surrogate without its low half
    '(?<![\\uD800-\\uDBFF])[\\uDC00-\\uDFFF]', // a low surrogate without its high half
    '[\\u0000-\\u0008\\u000B-\\u001F\\u007F]', // C0 controls but \t (09) and \n (0A); DEL
    '[\\uFDD0-\\uFDEF\\uFFFE\\uFFFF]', // non-characters of the basic plane
    '[\\uD83F\\uD87F\\uD8BF\\uD8FF\\uD93F\\uD97F\\uD9BF\\uD9FF\\uDA3F\\uDA7F\\uDABF\\uDAFF\\uDB3F\\uDB7F\\uDBBF\\uDBFF][\\uDFFE\\uDFFF]', // U+xFFFE, U+xFFFF of planes 1..16
  ].join('|'),
  'g',
);

export function cleanPlatformText(text: string): string {
  return text.replace(INVALID, '');
}
