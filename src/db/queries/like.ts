/**
 * `text` as a literal inside a LIKE pattern: `%`, `_` and the escape character `\` (Postgres's
 * default) matched as themselves. Ids drawn from base64url contain `_`, which LIKE reads as "any one
 * character": unescaped, a prefix pattern matches more than it should, and Postgres can use an index
 * only for the part before the first wildcard.
 */
export function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}
