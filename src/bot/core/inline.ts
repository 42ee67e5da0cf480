/**
 * Inline mode: a user types `@bot dune` in any chat and picks a title from the answer; the chosen
 * result posts a title card there with **Add to my watchlist** for whoever presses it (Telegram's
 * inline mode; platform-neutral here). Suggestions come from the same per-user single-flight search as
 * Discord's autocomplete (TitleSuggester): at most one Trakt search per user in flight, answers kept.
 *
 * The card's button is a chat action whose id is the title itself (`<m|s><trakt id>`): it needs no
 * stored state and no owner, so it works in any chat, for anyone, for as long as the message exists.
 */
import { LRUCache } from 'lru-cache';
import { encodeAction } from './actions.js';
import { cardReply, shorten, titleCard } from './cards.js';
import { defineChatAction } from './handlers.js';
import { resolveLocale, translator, type Translator } from './i18n/index.js';
import type { Title, TraktCatalogPort } from './ports.js';
import { noticesIn } from './replies.js';
import { addForPresser } from './presser-add.js';
import { kindWord } from './targets.js';
import type { TitleIndex } from './title-index.js';
import type { ChatUserRef, Reply } from './types.js';

/** Results per answer (Telegram allows 50 per answer; a short list reads better). */
export const MAX_INLINE_RESULTS = 20;
export const INLINE_ADD_ACTION = 'inline-add';
const DESCRIPTION_CHARS = 120;

export interface InlineQueryInput {
  user: ChatUserRef;
  /** What the user typed after the bot's name. */
  text: string;
  /** When the answer must be on its way. */
  answerBy: Date;
}

/** One result of an inline query: how it is listed, and the card it posts when chosen. */
export interface InlineResult {
  /** Unique within the answer, ASCII, at most 64 bytes: `<m|s><trakt id>`. */
  id: string;
  title: string;
  description: string;
  /**
   * The poster, as Trakt serves it (never to be hot-linked: adapters show it only from their own
   * re-hosted copy, or not at all).
   */
  posterUrl?: string;
  /** The card the chosen result posts, with Add to my watchlist. */
  card: Reply;
}

/**
 * The language of an inline answer or an autocomplete: the user's client language as the platform
 * sends it with the query (no database read within the platform's deadline, so a `/language` choice
 * is not consulted here).
 */
export function queryTranslator(user: Pick<ChatUserRef, 'locale'>): Translator {
  return translator(resolveLocale({ client: user.locale }, 'private'));
}

/** `m123` / `s456`: a title by type and Trakt id, short enough for a result id and a button's data. */
export function inlineTitleId(title: Pick<Title, 'type' | 'ids'>): string {
  return `${title.type === 'movie' ? 'm' : 's'}${title.ids.trakt}`;
}

export function parseInlineTitleId(id: string): { type: 'movie' | 'show'; trakt: number } | undefined {
  const match = /^([ms])([1-9][0-9]{0,14})$/.exec(id);
  if (match === null) return undefined;
  const trakt = Number(match[2]);
  if (!Number.isSafeInteger(trakt)) return undefined;
  return { type: match[1] === 'm' ? 'movie' : 'show', trakt };
}

/** The card an inline result posts: the title's card with Add to my watchlist (and Open on Trakt). */
export function inlineCard(title: Title, i18n: Translator): Reply {
  const target = { kind: title.type, title } as const;
  const add = { label: i18n.t('inline:button.addToMyWatchlist'), action: encodeAction(INLINE_ADD_ACTION, inlineTitleId(title)), style: 'primary' as const };
  return cardReply(target, titleCard(target, {}, i18n), [[add]], undefined, i18n);
}

function description(title: Title, i18n: Translator): string {
  const facts = [kindWord({ kind: title.type, title } as const, i18n), ...(title.year === null ? [] : [String(title.year)])];
  if (title.rating !== undefined && title.rating > 0) facts.push(`★ ${title.rating.toFixed(1)}`);
  const head = facts.join(' · ');
  return title.overview ? shorten(`${head} — ${title.overview}`, DESCRIPTION_CHARS) : head;
}

export function inlineResults(titles: Title[], i18n: Translator): InlineResult[] {
  const seen = new Set<string>();
  const results: InlineResult[] = [];
  for (const title of titles) {
    const id = inlineTitleId(title);
    if (seen.has(id)) continue;
    seen.add(id);
    results.push({
      id,
      title: shorten(`${title.title}${title.year === null ? '' : ` (${title.year})`}`, 100),
      description: description(title, i18n),
      ...(title.posterUrl ? { posterUrl: title.posterUrl } : {}),
      card: inlineCard(title, i18n),
    });
    if (results.length >= MAX_INLINE_RESULTS) break;
  }
  return results;
}

/**
 * Titles by `<m|s><trakt id>`, for presses on inline cards: the local index first (the title was just
 * suggested), then a short cache, then Trakt (`/search/trakt/:id`).
 */
export class InlineTitles {
  private readonly cache = new LRUCache<string, Title>({ max: 2_000, ttl: 24 * 60 * 60_000 });

  constructor(
    private readonly index: TitleIndex,
    private readonly catalog: () => TraktCatalogPort,
  ) {}

  async find(id: string): Promise<Title | undefined> {
    const parsed = parseInlineTitleId(id);
    if (parsed === undefined) return undefined;
    const known = this.index.get(parsed.type, parsed.trakt) ?? this.cache.get(id);
    if (known !== undefined) return known;
    const catalog = this.catalog();
    if (catalog.lookupIds === undefined) return undefined;
    const hits = await catalog.lookupIds({ idType: 'trakt', id: parsed.trakt, type: parsed.type });
    const hit = hits.find((h) => h.type === parsed.type && h.title.ids.trakt === parsed.trakt);
    const title = hit === undefined || hit.type === 'episode' ? undefined : hit.title;
    if (title !== undefined) this.cache.set(id, title);
    return title;
  }
}

/**
 * Add to my watchlist on an inline card: anyone may press it, in any chat; the title goes on the
 * presser's own watchlist through the offline queue (as a group pick's result card does), and the
 * outcome is told to the presser alone. An unlinked presser gets the link prompt privately.
 */
export function inlineAddAction(titles: InlineTitles) {
  return defineChatAction({
    action: INLINE_ADD_ACTION,
    async press(ctx, id) {
      if (parseInlineTitleId(id) === undefined) return { ack: { text: noticesIn(ctx.i18n).buttonInvalid, alert: true } };
      return addForPresser(ctx, () => titles.find(id));
    },
  });
}
