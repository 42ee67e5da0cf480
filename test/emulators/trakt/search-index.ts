// Text search over catalog titles. Trakt's search is Elasticsearch-backed: an OR of the query words, ranked
// by relevance, with an exact title match far ahead of partial ones (REFERENCE §7; fixture
// search/movie/#query/The Avengers.json scores 3553 for the exact title against 61 for the next).
// This index reproduces that ordering cheaply: an inverted index built once, so a search touches only the
// postings of its words.

const STOP_WORDS = new Set(['the', 'a', 'an', 'of', 'and', 'in', 'on', 'to', 'la', 'le', 'el', 'de', 'der', 'die', 'das']);

const CJK_CHAR = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}]/u;
const TOKEN = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}]|(?:(?![\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}])[\p{L}\p{N}])+/gu;
const MAX_QUERY_TOKENS = 30;
const MAX_PREFIX_EXPANSION = 200;

/** Lower case, no accents, apostrophes and in-word dots removed ("S.H.I.E.L.D." → "shield"). */
export function normalizeText(text: string): string {
  return text
    .normalize('NFKD')
    .replace(/\p{M}+/gu, '')
    .toLowerCase()
    .replace(/['’`]/g, '')
    .replace(/(\p{L})\.(?=\p{L})/gu, '$1');
}

// eslint-disable-next-line no-control-regex
const ASCII_ONLY = /^[\x00-\x7f]*$/;

/** The words of a text; CJK text (no spaces between words) is split into characters. */
function words(text: string): string[] {
  if (ASCII_ONLY.test(text)) {
    // fast path for the common case: same result as the Unicode path for ASCII input
    const simple = text.toLowerCase().replace(/['`]/g, '').replace(/([a-z])\.(?=[a-z])/g, '$1');
    return simple.split(/[^a-z0-9]+/).filter((w) => w.length > 0);
  }
  return normalizeText(text).match(TOKEN) ?? [];
}

export function tokenize(text: string): string[] {
  return withJoinedRuns(words(text));
}

function withJoinedRuns(tokens: string[]): string[] {
  // Runs of single letters ("M*A*S*H") are also indexed joined, so "mash" finds them.
  const extra: string[] = [];
  let run = '';
  for (const token of tokens) {
    if (token.length === 1 && /[a-z]/.test(token)) {
      run += token;
    } else {
      if (run.length > 1) extra.push(run);
      run = '';
    }
  }
  if (run.length > 1) extra.push(run);
  return extra.length > 0 ? [...tokens, ...extra] : tokens;
}

/** The normalized form two titles share when they are "the same title" (title matching, exact-match boost). */
export function titleKey(text: string): string {
  return words(text).join(' ');
}

export interface Analysis {
  tokens: string[];
  key: string;
}

interface Doc {
  tokenCount: number;
  key: string;
  boost: number;
}

export interface SearchHit {
  doc: number;
  score: number;
}

export class TextIndex {
  private readonly docs: Doc[] = [];
  private readonly postings = new Map<string, number[]>();
  private sortedTokens: string[] | undefined;

  get size(): number {
    return this.docs.length;
  }

  /**
   * Adds a document; documents are numbered in the order added. `boost` ranks popular titles higher. A memo
   * shared across calls skips re-analysing repeated texts (generated episode titles repeat a lot).
   */
  add(text: string, boost: number, memo?: Map<string, Analysis>): number {
    const doc = this.docs.length;
    let analysis = memo?.get(text);
    if (!analysis) {
      const all = words(text);
      analysis = { tokens: [...new Set(withJoinedRuns(all))], key: all.join(' ') };
      memo?.set(text, analysis);
    }
    this.docs.push({ tokenCount: Math.max(1, analysis.tokens.length), key: analysis.key, boost });
    for (const token of analysis.tokens) {
      const list = this.postings.get(token);
      if (list) list.push(doc);
      else this.postings.set(token, [doc]);
    }
    this.sortedTokens = undefined;
    return doc;
  }

  /** Every document matching at least one (meaningful) query word, unsorted, with a float score. */
  search(query: string): SearchHit[] {
    const queryTokens = [...new Set(tokenize(query.replace(/\\/g, ' ')))].slice(0, MAX_QUERY_TOKENS);
    if (queryTokens.length === 0) return [];
    const queryKey = titleKey(query.replace(/\\/g, ' '));
    const weights = new Map<number, number>();
    const masks = new Map<number, number>();
    // Stop words ("the", "of") barely count: "The Avengers" should rank "Avengers: Age of Ultron" above
    // "The Last Avenger".
    const importance = queryTokens.map((token) => (STOP_WORDS.has(token) ? 0.2 : 1));
    const totalImportance = importance.reduce((a, b) => a + b, 0);
    let meaningfulMask = 0;

    queryTokens.forEach((token, i) => {
      const tokenImportance = importance[i] ?? 1;
      if (tokenImportance === 1) meaningfulMask |= 1 << i;
      const best = new Map<number, number>();
      const consider = (word: string, weight: number): void => {
        const list = this.postings.get(word);
        if (!list) return;
        const idf = Math.log(1 + this.docs.length / list.length);
        for (const doc of list) {
          const w = idf * weight * tokenImportance;
          if ((best.get(doc) ?? 0) < w) best.set(doc, w);
        }
      };
      consider(token, 1);
      if (token.length > 3 && token.endsWith('s')) consider(token.slice(0, -1), 0.8);
      else if (token.length > 2) consider(`${token}s`, 0.8);
      if (i === queryTokens.length - 1 && token.length >= 2 && !CJK_CHAR.test(token)) {
        for (const word of this.tokensWithPrefix(token)) if (word !== token) consider(word, 0.6);
      }
      for (const [doc, w] of best) {
        weights.set(doc, (weights.get(doc) ?? 0) + w);
        masks.set(doc, (masks.get(doc) ?? 0) | (1 << i));
      }
    });

    const hits: SearchHit[] = [];
    for (const [doc, mask] of masks) {
      if (meaningfulMask !== 0 && (mask & meaningfulMask) === 0) continue;
      const info = this.docs[doc];
      if (!info) continue;
      let matchedImportance = 0;
      queryTokens.forEach((_, i) => {
        if ((mask & (1 << i)) !== 0) matchedImportance += importance[i] ?? 1;
      });
      const coverageQuery = matchedImportance / totalImportance;
      const coverageDoc = Math.min(1, popcount(mask) / info.tokenCount);
      let score = (weights.get(doc) ?? 0) * coverageQuery * coverageQuery * (0.35 + 0.65 * coverageDoc) * info.boost;
      if (info.key === queryKey) score *= 25;
      else if (info.key.startsWith(`${queryKey} `)) score *= 2;
      hits.push({ doc, score: Number(score.toPrecision(8)) });
    }
    return hits;
  }

  private tokensWithPrefix(prefix: string): string[] {
    this.sortedTokens ??= [...this.postings.keys()].sort();
    const tokens = this.sortedTokens;
    let lo = 0;
    let hi = tokens.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((tokens[mid] ?? '') < prefix) lo = mid + 1;
      else hi = mid;
    }
    const out: string[] = [];
    for (let i = lo; i < tokens.length && out.length < MAX_PREFIX_EXPANSION; i++) {
      const token = tokens[i];
      if (token === undefined || !token.startsWith(prefix)) break;
      out.push(token);
    }
    return out;
  }
}

function popcount(mask: number): number {
  let n = 0;
  let m = mask;
  while (m !== 0) {
    m &= m - 1;
    n++;
  }
  return n;
}
