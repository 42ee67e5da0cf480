import {
  ButtonStyle as DiscordButtonStyle,
  ComponentType,
  type APIActionRowComponent,
  type APIButtonComponent,
  type APIComponentInMessageActionRow,
  type APIEmbed,
  type APIStringSelectComponent,
} from 'discord.js';
import type { Button, ButtonStyle, MultiPick, Reply, Rich, RichNode } from '../core/types.js';
import { EN, type Translator } from '../core/i18n/index.js';

/** Discord's limits (https://discord.com/developers/docs/resources/message, .../interactions/message-components). */
export const LIMITS = {
  embedDescription: 4096,
  actionRows: 5,
  componentsPerRow: 5,
  buttonLabel: 80,
  customId: 100,
  selectOptions: 25,
  selectText: 100,
  selectPlaceholder: 150,
} as const;

/** Select menus made from buttons that did not fit carry this prefix; the chosen value is the button's action. */
export const MENU_PREFIX = 'menu:';

/** Marquee's accent on embeds. */
const EMBED_COLOR = 0xed1c24;
const ELLIPSIS = '…';

/**
 * Escapes text for Discord markdown so it renders as written. Discord drops a backslash before any
 * ASCII punctuation, so escaping more than needed is harmless; a numbered-list marker (`1. `) only
 * counts at the start of a line, so its dot is escaped there only.
 */
export function escapeMarkdown(text: string, atLineStart: boolean): string {
  const escaped = text.replace(/[\\*_~`|[\]()<>#\-+:]/g, '\\$&');
  return escaped.replace(/(^|\n)(\s*\d+)\./g, (match, lead: string, digits: string, offset: number) =>
    offset === 0 && lead === '' && !atLineStart ? match : `${lead}${digits}\\.`,
  );
}

/** Undoes `escapeMarkdown` (for tests and logs): what a Discord client shows. */
export function unescapeMarkdown(text: string): string {
  return text.replace(/\\([!-/:-@[-`{-~])/g, '$1');
}

const SAFE_LINK = /^https?:\/\/[^\s<>()]+$/i;

/**
 * Rich text → Discord markdown, every string escaped, at most `limit` characters (markup and escapes
 * included, as Discord counts them). Cutting happens on the tree, so markup is always closed.
 */
export function renderMarkdown(value: Rich, limit = LIMITS.embedDescription): string {
  // Room for the markers that close around a cut and the ellipsis.
  let left = limit - 8;
  let out = '';
  let cut = false;
  const atLineStart = () => out === '' || out.endsWith('\n');

  function emit(chunk: string): void {
    out += chunk;
    left -= chunk.length;
  }

  function text(raw: string): void {
    if (cut || raw === '') return;
    const escaped = escapeMarkdown(raw, atLineStart());
    if (escaped.length <= left) {
      emit(escaped);
      return;
    }
    cut = true;
    // The longest prefix whose escaped form fits with the ellipsis (escaped length grows with the prefix).
    const room = left - ELLIPSIS.length;
    let lo = 0;
    let hi = Math.min(raw.length, Math.max(0, room));
    while (lo < hi) {
      const mid = Math.ceil((lo + hi) / 2);
      if (escapeMarkdown(raw.slice(0, mid), atLineStart()).length <= room) lo = mid;
      else hi = mid - 1;
    }
    let end = lo;
    const code = raw.charCodeAt(end - 1);
    if (end > 0 && code >= 0xd800 && code <= 0xdbff) end -= 1;
    emit(`${escapeMarkdown(raw.slice(0, Math.max(0, end)), atLineStart())}${ELLIPSIS}`);
  }

  function wrap(marker: string, content: Rich): void {
    if (cut || left < marker.length * 2 + 1) {
      cut = true;
      return;
    }
    const before = out.length;
    left -= marker.length; // reserve the closing marker
    emit(marker);
    walk(content);
    left += marker.length;
    if (out.length === before + marker.length) {
      out = out.slice(0, before); // nothing inside: no empty markup
      left += marker.length;
      return;
    }
    emit(marker);
  }

  function walk(node: Rich): void {
    if (cut) return;
    if (typeof node === 'string') return text(node);
    if (Array.isArray(node)) {
      for (const child of node as readonly Rich[]) walk(child);
      return;
    }
    const n = node as RichNode;
    switch (n.kind) {
      case 'bold':
        return wrap('**', n.content);
      case 'italic':
        return wrap('_', n.content);
      case 'code': {
        // Inside code nothing is escaped; a backtick would end it, so it becomes a look-alike.
        const code = n.text.replace(/`/g, 'ˋ');
        if (code === '') return;
        if (code.length + 2 > left) return text(n.text);
        emit(`\`${code}\``);
        return;
      }
      case 'link': {
        if (!SAFE_LINK.test(n.url) || n.url.length + 4 > left) return walk(n.content);
        emit('[');
        left -= n.url.length + 2;
        walk(n.content);
        left += n.url.length + 2;
        emit(`](${n.url})`);
        return;
      }
      case 'line':
        if (left < 1) {
          cut = true;
          return;
        }
        emit('\n');
        return;
    }
  }

  walk(value);
  return out.trimEnd() === '' ? '\u200b' : out;
}

function cutLabel(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}${ELLIPSIS}`;
}

type ActionStyle = DiscordButtonStyle.Primary | DiscordButtonStyle.Secondary | DiscordButtonStyle.Success | DiscordButtonStyle.Danger;

const STYLES: Record<ButtonStyle, ActionStyle> = {
  primary: DiscordButtonStyle.Primary,
  secondary: DiscordButtonStyle.Secondary,
  success: DiscordButtonStyle.Success,
  danger: DiscordButtonStyle.Danger,
};

function buttonComponent(button: Button): APIButtonComponent {
  const label = cutLabel(button.label, LIMITS.buttonLabel);
  if ('url' in button) return { type: ComponentType.Button, style: DiscordButtonStyle.Link, label, url: button.url };
  if (button.action.length > LIMITS.customId) throw new Error(`custom_id over ${LIMITS.customId} characters`);
  return { type: ComponentType.Button, style: STYLES[button.style ?? 'secondary'], label, custom_id: button.action };
}

function row(components: APIComponentInMessageActionRow[]): APIActionRowComponent<APIComponentInMessageActionRow> {
  return { type: ComponentType.ActionRow, components };
}

function pickMenu(pick: MultiPick): APIStringSelectComponent {
  const options = pick.options.slice(0, LIMITS.selectOptions).map((o) => ({
    label: cutLabel(o.label, LIMITS.selectText),
    value: o.value.slice(0, LIMITS.selectText),
    ...(o.description ? { description: cutLabel(o.description, LIMITS.selectText) } : {}),
    ...(o.selected === true ? { default: true } : {}),
  }));
  return {
    type: ComponentType.StringSelect,
    custom_id: pick.action,
    placeholder: cutLabel(pick.placeholder, LIMITS.selectPlaceholder),
    min_values: Math.max(0, Math.min(pick.minValues, options.length)),
    max_values: Math.max(1, Math.min(pick.maxValues, options.length)),
    options,
  };
}

/**
 * Neutral buttons (and a multi-choice) → at most 5 action rows of at most 5 components. Button sets
 * too large for that (a season or episode picker) keep their last rows as buttons and fold the rest
 * into single-choice select menus, 25 options each, in the same order.
 */
export function renderComponents(buttons: Button[][] | undefined, pick?: MultiPick, i18n: Translator = EN): Array<APIActionRowComponent<APIComponentInMessageActionRow>> {
  const rows: Button[][] = [];
  const from = pick?.replacesRowsFrom ?? 0;
  const shown =
    pick?.replacesRows !== undefined && pick.options.length > 0
      ? (buttons ?? []).filter((_, i) => i < from || i >= from + (pick.replacesRows ?? 0))
      : (buttons ?? []);
  for (const r of shown) for (let i = 0; i < r.length; i += LIMITS.componentsPerRow) rows.push(r.slice(i, i + LIMITS.componentsPerRow));
  const reserved = pick !== undefined && pick.options.length > 0 ? 1 : 0;
  const out: Array<APIActionRowComponent<APIComponentInMessageActionRow>> = [];
  let kept = rows;
  if (rows.length + reserved > LIMITS.actionRows) {
    let keep = Math.min(rows.length, LIMITS.actionRows - reserved - 1);
    const foldedOf = (k: number) => rows.slice(0, rows.length - k).flat();
    while (keep > 0 && Math.ceil(foldedOf(keep).length / LIMITS.selectOptions) + keep + reserved > LIMITS.actionRows) keep -= 1;
    const folded = foldedOf(keep).filter((b): b is Extract<Button, { action: string }> => 'action' in b);
    const menus = Math.min(Math.ceil(folded.length / LIMITS.selectOptions), LIMITS.actionRows - keep - reserved);
    for (let m = 0; m < menus; m++) {
      const part = folded.slice(m * LIMITS.selectOptions, (m + 1) * LIMITS.selectOptions);
      out.push(
        row([
          {
            type: ComponentType.StringSelect,
            custom_id: `${MENU_PREFIX}${m}`,
            placeholder:
              menus === 1
                ? i18n.t('notices:choose')
                : i18n.t('notices:chooseRange', { from: m * LIMITS.selectOptions + 1, to: m * LIMITS.selectOptions + part.length }),
            min_values: 1,
            max_values: 1,
            options: part.map((b) => ({ label: cutLabel(b.label, LIMITS.selectText), value: b.action })),
          },
        ]),
      );
    }
    kept = rows.slice(rows.length - keep);
  }
  for (const r of kept) out.push(row(r.map(buttonComponent)));
  if (reserved === 1 && pick !== undefined) out.push(row([pickMenu(pick)]));
  return out;
}

export interface RenderedMessage {
  embeds: APIEmbed[];
  components: Array<APIActionRowComponent<APIComponentInMessageActionRow>>;
}

/**
 * A reply as one embed (text, and the poster when its file is attached under `posterFile`) with its
 * components; the few words the renderer adds (a folded menu's placeholder) in `i18n`'s language.
 */
export function renderReply(reply: Reply, posterFile?: string, i18n: Translator = EN): RenderedMessage {
  const embed: APIEmbed = { description: renderMarkdown(reply.text), color: EMBED_COLOR };
  if (posterFile !== undefined) embed.thumbnail = { url: `attachment://${posterFile}` };
  return { embeds: [embed], components: renderComponents(reply.buttons, reply.pick, i18n) };
}
