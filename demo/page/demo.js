// The demo page: one chat pane per platform, driven through the emulators' HTTP drivers
// (/api/telegram/..., /api/discord/..., /api/trakt/... are their /_emulator routes). Plain JS, no build step:
// it polls what the bot sent and draws it plainly.
'use strict';

const POLL_MS = 700;

async function api(path, body) {
  const init = body === undefined ? {} : { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) };
  const response = await fetch(`/api/${path}`, init);
  const data = await response.json().catch(() => null);
  if (!response.ok) throw new Error((data && data.error) || response.statusText);
  return data;
}

/** `el('div', { class: 'x', onclick }, child, 'text')` */
function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key.startsWith('on')) node.addEventListener(key.slice(2), value);
    else node.setAttribute(key, value === true ? '' : String(value));
  }
  for (const child of children.flat(Infinity)) if (child !== undefined && child !== null && child !== '') node.append(child);
  return node;
}

let world;

/** A URL button: Trakt's consent page opens in the Trakt pane, anything else in a new tab. */
function openUrl(url) {
  if (url.startsWith(world.traktAuthUrl)) {
    const frame = document.getElementById('trakt-frame');
    frame.removeAttribute('srcdoc'); // srcdoc wins over src while it is there
    frame.src = url;
  } else {
    window.open(url, '_blank', 'noopener');
  }
}

/** One chat pane: a conversation picker, the messages, a composer, and a toast line for answers and errors. */
function pane(id, conversations, { load, render, send }) {
  const root = document.getElementById(id);
  const who = root.querySelector('.who');
  const list = root.querySelector('.messages');
  const toastLine = root.querySelector('.toast');
  conversations.forEach((c, i) => who.append(el('option', { value: i }, c.label)));
  let shown = '';
  let busy = false;
  const state = {
    get conversation() { return conversations[Number(who.value)]; },
    toast(text) {
      toastLine.textContent = text;
      clearTimeout(state.toastTimer);
      state.toastTimer = setTimeout(() => { toastLine.textContent = ''; }, 6000);
    },
    async refresh() {
      if (busy) return;
      busy = true;
      try {
        const messages = await load(state.conversation);
        const key = JSON.stringify(messages) + who.value;
        if (key === shown) return;
        shown = key;
        const atBottom = list.scrollTop + list.clientHeight >= list.scrollHeight - 40;
        list.replaceChildren(...messages.map((m) => render(m, state)));
        if (atBottom || messages.length < 4) list.scrollTop = list.scrollHeight;
      } catch (error) {
        state.toast(String(error.message || error));
      } finally {
        busy = false;
      }
    },
    /** Runs a user action, shows its error if any, and redraws soon. */
    async act(action) {
      try {
        await action();
      } catch (error) {
        state.toast(String(error.message || error));
      }
      setTimeout(() => void state.refresh(), 150);
    },
  };
  who.addEventListener('change', () => { shown = ''; list.scrollTop = list.scrollHeight; void state.refresh(); });
  root.querySelector('.composer').addEventListener('submit', (event) => {
    event.preventDefault();
    const input = event.target.elements.text;
    const text = input.value.trim();
    if (text === '') return;
    input.value = '';
    void state.act(() => send(text, state));
  });
  setInterval(() => void state.refresh(), POLL_MS);
  void state.refresh();
  return state;
}

// ---- Telegram

function telegramPane() {
  const path = (c) => `telegram/chats/${c.chatId}`;
  return pane('telegram', world.telegram.conversations, {
    load: async (c) => (await api(`${path(c)}/messages`)).filter((m) => !m.deleted),
    send: (text, p) => api(`${path(p.conversation)}/send`, { userId: p.conversation.userId, text }),
    render(m, p) {
      const c = p.conversation;
      const rows = (m.replyMarkup && m.replyMarkup.inline_keyboard) || [];
      const press = (button) => p.act(async () => {
        const { callbackQueryId } = await api(`${path(c)}/press`, { userId: c.userId, messageId: m.messageId, data: button.callback_data });
        // the bot's answer to the press (a notice like "only the person who ran the command…") shows as a toast
        for (let i = 0; i < 20; i++) {
          await new Promise((resolve) => setTimeout(resolve, 150));
          const query = (await api(`${path(c)}/callback-queries`)).find((q) => q.id === callbackQueryId);
          if (query && query.answer) {
            if (query.answer.text) p.toast(query.answer.text);
            return;
          }
        }
      });
      return el('div', { class: `msg ${m.from}`, 'data-id': m.messageId },
        c.chatId < 0 || m.from === 'bot' ? el('div', { class: 'sender' }, m.sender.first_name) : null,
        m.photoFileId ? el('img', { class: 'photo', src: `/api/telegram/files/${m.photoFileId}`, alt: 'poster' }) : null,
        el('div', { class: 'text' }, m.text),
        m.edits.length > 0 ? el('div', { class: 'meta' }, 'edited') : null,
        el('div', { class: 'keyboard' }, rows.map((row) => el('div', { class: 'row' }, row.map((button) =>
          el('button', { type: 'button', onclick: () => (button.url ? openUrl(button.url) : void press(button)) }, button.url ? `${button.text} ↗` : button.text))))));
    },
  });
}

// ---- Discord

/** Discord markdown drawn plainly: backslash escapes undone, bold, italic and code markers dropped. */
function plain(text) {
  return String(text || '').replace(/\\([!-/:-@[-`{-~])|\*\*|[_`]/g, (match, escaped) => escaped || '');
}

const BUTTON_STYLES = { 1: 'primary', 2: 'secondary', 3: 'success', 4: 'danger' };

/** `/search dune 2021` → the command and its options: `name:value` words, choice values, the rest in the first free option. */
function parseSlash(text, commands) {
  const [head = '', ...words] = text.slice(1).trim().split(/\s+/);
  const command = commands.find((c) => c.name === head.toLowerCase());
  if (!command) throw new Error(`No command /${head}. Try ${commands.map((c) => `/${c.name}`).join(' ')}`);
  const options = command.options || [];
  const values = {};
  const rest = [];
  for (const word of words) {
    const named = /^([\w-]+):(.+)$/.exec(word);
    if (named && options.some((o) => o.name === named[1])) { values[named[1]] = named[2]; continue; }
    const lower = word.toLowerCase();
    const choice = options.find((o) => o.choices && !(o.name in values) && o.choices.some((ch) => ch.value.toLowerCase() === lower || ch.name.toLowerCase() === lower));
    if (choice) { values[choice.name] = choice.choices.find((ch) => ch.value.toLowerCase() === lower || ch.name.toLowerCase() === lower).value; continue; }
    rest.push(word);
  }
  const free = options.find((o) => !o.choices && !(o.name in values));
  if (rest.length > 0 && free) values[free.name] = rest.join(' ');
  return { name: command.name, options: Object.entries(values).map(([name, value]) => ({ name, value })) };
}

function discordPane() {
  let commands = [];
  const embed = (e) => el('div', { class: 'embed' },
    e.thumbnail ? el('img', { class: 'thumb', src: e.thumbnail.url, alt: '' }) : null,
    e.title ? el('div', { class: 'title' }, plain(e.title)) : null,
    e.description ? el('div', {}, plain(e.description)) : null,
    (e.fields || []).map((f) => el('div', { class: 'field' }, el('b', {}, plain(f.name)), plain(f.value))),
    e.image ? el('img', { class: 'image', src: e.image.url, alt: 'poster' }) : null,
    e.footer ? el('div', { class: 'footer' }, plain(e.footer.text)) : null);
  return pane('discord', world.discord.conversations, {
    load: async (c) => (await api(`discord/channels/${c.channelId}/messages`))
      .filter((m) => !m.deleted && (!m.ephemeral || (m.interaction && m.interaction.userId === c.userId))),
    async send(text, p) {
      if (!text.startsWith('/')) throw new Error('On Discord, type a slash command, e.g. /search dune');
      if (commands.length === 0) commands = await api('discord/commands');
      const c = p.conversation;
      await api('discord/interactions/command', { userId: c.userId, channelId: c.channelId, ...(c.guildId ? { guildId: c.guildId } : {}), ...parseSlash(text, commands) });
    },
    render(m, p) {
      const c = p.conversation;
      const component = (x) => {
        if (x.type === 2) {
          const onclick = () => (x.url ? openUrl(x.url) : void p.act(() => api('discord/interactions/button', { userId: c.userId, messageId: m.id, customId: x.custom_id })));
          return el('button', { type: 'button', class: BUTTON_STYLES[x.style] || '', disabled: x.disabled, onclick }, x.url ? `${x.label} ↗` : x.label);
        }
        if (x.type === 3) {
          const multiple = (x.max_values || 1) > 1;
          const select = el('select', { multiple, size: multiple ? Math.min(x.options.length, 5) : undefined },
            multiple ? null : el('option', { value: '' }, x.placeholder || 'Choose…'),
            x.options.map((o) => el('option', { value: o.value }, o.label)));
          const choose = () => {
            const values = [...select.selectedOptions].map((o) => o.value).filter((v) => v !== '');
            if (values.length > 0) void p.act(() => api('discord/interactions/select', { userId: c.userId, messageId: m.id, customId: x.custom_id, values }));
          };
          if (!multiple) select.addEventListener('change', choose);
          return [select, multiple ? el('button', { type: 'button', onclick: choose }, 'Choose') : null];
        }
        return null;
      };
      const who = m.interaction && m.interaction.commandName ? `${m.interaction.username} used /${m.interaction.commandName}` : null;
      return el('div', { class: 'msg bot', 'data-id': m.id },
        who ? el('div', { class: 'meta' }, who) : null,
        el('div', { class: 'sender' }, 'Marquee'),
        m.loading && m.content === '' ? el('div', { class: 'meta' }, 'Marquee is thinking…') : null,
        m.content ? el('div', { class: 'text' }, plain(m.content)) : null,
        m.embeds.map(embed),
        m.attachments.filter((a) => !m.embeds.some((e) => JSON.stringify(e).includes(a.filename)))
          .map((a) => el('img', { class: 'photo', src: a.url, alt: a.filename })),
        el('div', { class: 'keyboard' }, m.components.map((row) => el('div', { class: 'row' }, (row.components || []).map(component)))),
        m.ephemeral ? el('div', { class: 'ephemeral' }, 'Only you can see this') : null,
        m.edited ? el('div', { class: 'meta' }, 'edited') : null);
    },
  });
}

// ---- Trakt

function traktPane() {
  document.getElementById('trakt-user').textContent = world.traktUser;
  const list = document.getElementById('watchlist');
  let shown = '';
  const refresh = async () => {
    const items = await api(`trakt/watchlist/${world.traktUser}`).catch(() => []);
    const key = JSON.stringify(items);
    if (key === shown) return;
    shown = key;
    list.replaceChildren(...items.map((item) => el('li', {}, item.title, el('span', { class: 'meta' }, ` · ${item.type}`))));
  };
  setInterval(() => void refresh(), 2000);
  void refresh();
}

async function start() {
  world = await api('world');
  telegramPane();
  discordPane();
  traktPane();
}

void start();
