// Telegram Bot API emulator for end-to-end tests; see README.md.
export { startTelegramEmulator } from './emulator.js';
export { escapeHtml, parseHtml, parseMarkdownV2 } from './formatting.js';
export { makePng } from './images.js';
export { emulatedBot, startPolling, type PollingBot } from './test-helpers.js';
export type * from './types.js';
