import { cardReply, episodeFacts, episodeLabel, seasonFacts, shorten, titleCard, type PartFacts } from '../cards.js';
import type { CoreContext } from '../context.js';
import { InvalidInputError } from '../errors.js';
import { defineAction, defineCommand } from '../handlers.js';
import { cleanText, parseAddQuery } from '../parse.js';
import type { Target, Title, TraktCatalogPort } from '../ports.js';
import { targetKey, targetLabel, titleTarget } from '../targets.js';
import { lookUpReference, unknownReferenceReply, type ReferenceLookup } from '../title-refs.js';
import { searchReadings } from '../title-search.js';
import type { Button, Reply } from '../types.js';
import { enqueueConfirmedWrite, runQueuedConfirm, type QueuedConfirm } from '../queued-writes.js';
import { runConfirmedWrite, type ConfirmPayload } from '../write-flow.js';
import { onWatchlist, seasonCount, searchCard, type SearchState } from './search.js';

/** Results looked at for `/add <title>`: an exact title among them wins over Trakt's first. */
const BEST_OF = 5;

/** Telegram shows at most 100 buttons on a message; pickers stay well below. */
const MAX_PICKER_BUTTONS = 60;

/** Other matches listed by Not this one, one to a row: with Cancel they stay within Discord's 5 rows. */
const OTHER_MATCHES = 4;
/** Discord cuts button labels at 80 characters; a match's label keeps its year. */
const MATCH_LABEL_CHARS = 80;

/** What a typed `/add` found: the titles Not this one chooses from (the card's own title among them). */
export interface AddMatches {
  asked: string;
  titles: Title[];
}

interface NotThisPayload extends AddMatches {
  /** The card's title (targetKey), left out of the list. */
  shown: string;
}

export interface AddPayload {
  target: Target;
  back?: SearchState;
  /** An episode's own facts, from the episode list already fetched. */
  part?: PartFacts;
  /** From a typed /add: the search's other matches, for Not this one. */
  matches?: AddMatches;
}

interface AddCardOptions {
  back?: SearchState;
  /** Check the watchlist copy against Trakt first (a typed /add). */
  recheck?: boolean;
  part?: PartFacts;
  matches?: AddMatches;
}

/** A season's facts from the show's season list (cached by the Trakt port, shared with the pickers). */
async function seasonPart(ctx: CoreContext, catalog: TraktCatalogPort, target: Target): Promise<PartFacts | undefined> {
  if (target.kind !== 'season') return undefined;
  try {
    const season = (await ctx.patiently(catalog.seasons(target.show.ids.trakt))).find((s) => s.number === target.season);
    return season === undefined ? undefined : seasonFacts(season);
  } catch {
    return undefined;
  }
}

interface ShowPayload {
  show: Title;
  back?: SearchState;
}

interface SeasonPayload extends ShowPayload {
  season: number;
}

/**
 * The card that asks before adding: Confirm and Cancel, for a show the choice of a season or an
 * episode, and after a typed search with other matches, Not this one.
 */
export async function addCard(ctx: CoreContext, target: Target, options: AddCardOptions = {}): Promise<Reply> {
  const { back } = options;
  await ctx.requireAccount();
  const trakt = await ctx.traktForUser();
  const [listed, seasons, part] = await Promise.all([
    onWatchlist(ctx, target, options.recheck),
    seasonCount(ctx, trakt, target),
    options.part ?? seasonPart(ctx, trakt, target),
  ]);
  const view = ctx.view();
  const cancel = view.button(ctx.t('cards:button.cancel'), 'cancel', { target, ...(back ? { back } : {}) });
  const buttons: Button[][] = [];
  let header: string;
  if (listed === true) {
    header = ctx.t('add:card.alreadyListed');
    buttons.push([view.button(ctx.t('add:button.remove'), 'rm', { target, ...(back ? { back } : {}) })]);
  } else {
    const confirm: ConfirmPayload = { op: 'add', targets: [target], ...(back ? { back } : {}) };
    if (target.kind === 'show') {
      header = ctx.t('add:card.askShow');
      buttons.push([view.button(ctx.t('add:button.confirmShow'), 'confirm', confirm, 'primary')]);
      buttons.push([view.button(ctx.t('add:button.pickSeason'), 'seasons', { show: target.title, ...(back ? { back } : {}) })]);
    } else if (target.kind === 'season') {
      header = ctx.t('add:card.askSeason', { season: target.season });
      buttons.push([view.button(ctx.t('add:button.confirmSeason', { season: target.season }), 'confirm', confirm, 'primary')]);
      buttons.push([view.button(ctx.t('add:button.pickEpisode'), 'episodes', { show: target.show, season: target.season, ...(back ? { back } : {}) })]);
    } else {
      header = ctx.t('add:card.ask');
      buttons.push([view.button(ctx.t('add:button.confirm'), 'confirm', confirm, 'primary')]);
    }
  }
  const { matches } = options;
  if (matches !== undefined && matches.titles.some((t) => targetKey(titleTarget(t)) !== targetKey(target))) {
    buttons.push([view.button(ctx.t('add:button.notThisOne'), 'notthis', { ...matches, shown: targetKey(target) } satisfies NotThisPayload)]);
  }
  buttons.push([cancel]);
  await view.save(ctx.deps.pending);
  const text = titleCard(target, { header, ...(seasons === undefined ? {} : { seasons }), ...(part === undefined ? {} : { part }) }, ctx.i18n);
  return cardReply(target, text, buttons, ctx.owner, ctx.i18n);
}

async function seasonPicker(ctx: CoreContext, payload: ShowPayload): Promise<Reply> {
  const trakt = await ctx.traktForUser();
  const seasons = (await ctx.patiently(trakt.seasons(payload.show.ids.trakt))).sort((a, b) => a.number - b.number);
  const show = titleTarget(payload.show);
  const view = ctx.view();
  const back = payload.back ? { back: payload.back } : {};
  const picks = seasons.slice(0, MAX_PICKER_BUTTONS).map((s) =>
    view.button(s.number === 0 ? ctx.t('add:button.specials') : ctx.t('add:button.season', { season: s.number }), 'season', { show: payload.show, season: s.number, ...back }),
  );
  const buttons: Button[][] = [];
  for (let i = 0; i < picks.length; i += 3) buttons.push(picks.slice(i, i + 3));
  buttons.push([view.button(ctx.t('add:button.confirmShow'), 'confirm', { op: 'add', targets: [show], ...back } satisfies ConfirmPayload, 'primary')]);
  buttons.push([view.button(ctx.t('cards:button.cancel'), 'cancel', { target: show, ...back })]);
  await view.save(ctx.deps.pending);
  const header = ctx.t(seasons.length === 0 ? 'add:picker.noSeasons' : 'add:picker.whichSeason');
  return cardReply(show, titleCard(show, { header, seasons: seasons.filter((s) => s.number > 0).length }, ctx.i18n), buttons, ctx.owner, ctx.i18n);
}

async function episodePicker(ctx: CoreContext, payload: SeasonPayload): Promise<Reply> {
  const trakt = await ctx.traktForUser();
  const episodes = (await ctx.patiently(trakt.episodes(payload.show.ids.trakt, payload.season))).sort((a, b) => a.number - b.number);
  const season: Target = { kind: 'season', show: payload.show, season: payload.season };
  const view = ctx.view();
  const back = payload.back ? { back: payload.back } : {};
  const picks = episodes.slice(0, MAX_PICKER_BUTTONS).map((e) =>
    view.button(episodeLabel(e), 'episode', {
      target: { kind: 'episode', show: payload.show, season: payload.season, episode: e.number, ...(e.title ? { episodeTitle: e.title } : {}) },
      part: episodeFacts(e),
      ...back,
    } satisfies AddPayload),
  );
  const buttons: Button[][] = [];
  for (let i = 0; i < picks.length; i += 5) buttons.push(picks.slice(i, i + 5));
  buttons.push([view.button(ctx.t('add:button.confirmSeason', { season: payload.season }), 'confirm', { op: 'add', targets: [season], ...back } satisfies ConfirmPayload, 'primary')]);
  buttons.push([view.button(ctx.t('cards:button.cancel'), 'cancel', { target: season, ...back })]);
  await view.save(ctx.deps.pending);
  const header =
    episodes.length === 0
      ? ctx.t('add:picker.noEpisodes')
      : episodes.length > MAX_PICKER_BUTTONS
        ? ctx.t('add:picker.whichEpisodeFirst', { season: payload.season, shown: MAX_PICKER_BUTTONS })
        : ctx.t('add:picker.whichEpisode', { season: payload.season });
  const first = episodes[0]?.firstAired;
  const facts = { header, part: { episodes: episodes.length, ...(first ? { firstAired: first } : {}) } };
  return cardReply(season, titleCard(season, facts, ctx.i18n), buttons, ctx.owner, ctx.i18n);
}

function matchLabel(title: Title): string {
  if (title.year === null) return shorten(title.title, MATCH_LABEL_CHARS);
  const year = ` (${title.year})`;
  return `${shorten(title.title, MATCH_LABEL_CHARS - year.length)}${year}`;
}

/** Not this one: the search's other matches, each leading to its own Add card. */
async function otherMatches(ctx: CoreContext, payload: NotThisPayload): Promise<Reply> {
  const others = payload.titles.filter((t) => targetKey(titleTarget(t)) !== payload.shown).slice(0, OTHER_MATCHES);
  const view = ctx.view();
  const matches: AddMatches = { asked: payload.asked, titles: payload.titles };
  const buttons: Button[][] = others.map((title) => [view.button(matchLabel(title), 'add', { target: titleTarget(title), matches } satisfies AddPayload)]);
  buttons.push([view.button(ctx.t('cards:button.cancel'), 'cancel', {})]);
  await view.save(ctx.deps.pending);
  return { text: ctx.t('add:otherMatches', { asked: payload.asked }), buttons };
}

async function findTarget(ctx: CoreContext, args: string): Promise<ReferenceLookup & { reference?: true; matches?: AddMatches }> {
  const query = parseAddQuery(args);
  const trakt = await ctx.traktForUser();
  if (query.kind !== 'text') return { ...(await lookUpReference(trakt, query, (work) => ctx.patiently(work))), reference: true };
  // A trailing number may be a year or part of the title: both readings are tried (title-search.ts).
  const { text, year } = query.query;
  const chosen = await searchReadings(trakt, cleanText(args), query.query, { types: ['movie', 'show'], page: 1, limit: BEST_OF }, (work) => ctx.patiently(work));
  const best = chosen.exact ?? chosen.page.hits[0];
  const asked = year === undefined ? text : `${text} (${year})`;
  // An id or a link names one title; words may match several: the others are offered by Not this one.
  const matches = chosen.page.hits.length > 1 ? { matches: { asked, titles: chosen.page.hits } } : {};
  return { ...(best ? { target: titleTarget(best) } : {}), asked, ...matches };
}

export const addCommand = defineCommand({
  name: 'add',
  account: true,
  description: 'Add to your watchlist: a title, an IMDb id or a Trakt link',
  listed: true,
  options: [{ name: 'title', description: 'A title, an IMDb id or a Trakt link', required: true, maxLength: 200, autocomplete: 'title-ref' }],
  async run(ctx, args) {
    if (args.trim() === '') {
      throw new InvalidInputError({ key: 'add:usage' });
    }
    await ctx.requireAccount();
    // Duplicate detection needs a current copy: check it while Trakt looks the title up.
    ctx.freshCopy(true).catch(() => undefined);
    const { target, asked, reference, part, matches } = await findTarget(ctx, args);
    if (target === undefined && reference) return [unknownReferenceReply(asked, ctx.i18n)];
    if (target === undefined) return [{ text: ctx.t('add:nothingFound', { asked }) }];
    return [await addCard(ctx, target, { recheck: true, ...(part === undefined ? {} : { part }), ...(matches === undefined ? {} : { matches }) })];
  },
});

export const addAction = defineAction<AddPayload>({
  action: 'add',
  run: async (ctx, payload) => ({ edit: await addCard(ctx, payload.target, payload) }),
});

export const notThisAction = defineAction<NotThisPayload>({
  action: 'notthis',
  run: async (ctx, payload) => ({ edit: await otherMatches(ctx, payload) }),
});

export const episodeAction = defineAction<AddPayload>({
  action: 'episode',
  run: async (ctx, payload) => ({ edit: await addCard(ctx, payload.target, payload) }),
});

export const seasonsAction = defineAction<ShowPayload>({
  action: 'seasons',
  run: async (ctx, payload) => ({ edit: await seasonPicker(ctx, payload) }),
});

export const seasonAction = defineAction<SeasonPayload>({
  action: 'season',
  run: async (ctx, payload) => ({
    edit: await addCard(ctx, { kind: 'season', show: payload.show, season: payload.season }, payload),
  }),
});

export const episodesAction = defineAction<SeasonPayload>({
  action: 'episodes',
  run: async (ctx, payload) => ({ edit: await episodePicker(ctx, payload) }),
});

export const confirmAction = defineAction<ConfirmPayload>({
  action: 'confirm',
  ack: (i18n) => i18n.t('add:ack.workingOn'),
  // Queued before the press is answered: from here on neither an outage nor a restart loses it.
  prepare: (ctx, payload, input) => enqueueConfirmedWrite(ctx, payload, input.card),
  run: (ctx, payload, input) => {
    const queued = input?.prepared as QueuedConfirm | undefined;
    return queued === undefined ? runConfirmedWrite(ctx, payload) : runQueuedConfirm(ctx, payload, queued);
  },
});

export const cancelAction = defineAction<{ target?: Target; back?: SearchState }>({
  action: 'cancel',
  async run(ctx, payload) {
    if (payload.back) return { edit: await searchCard(ctx, payload.back) };
    if (payload.target === undefined) return { edit: { text: ctx.t('add:cancelled') } };
    const header = ctx.t('add:cancelledFor', { name: targetLabel(payload.target, ctx.i18n) });
    return { edit: cardReply(payload.target, titleCard(payload.target, { header }, ctx.i18n), undefined, ctx.owner, ctx.i18n) };
  },
});
