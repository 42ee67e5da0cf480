// Loopback Discord emulator (REST + gateway) for end-to-end tests of the Discord bot.
// See README.md in this folder.

export {
  startDiscordEmulator,
  DiscordEmulator,
  InteractionHandle,
  AutocompleteHandle,
  type FinalMessage,
  type WaitOptions,
} from './emulator.js';
export { DiscordHttpError, FormErrors, type ErrorTree } from './errors.js';
export { GatewayCloseCode, GatewayOpcode } from './gateway.js';
export { CallbackType, Intent } from './core.js';
export { Limits, MessageFlag, ComponentType, CommandOptionType } from './validation.js';
export type * from './types.js';
export { RawGatewayClient, makePng, type GatewayPayload } from './test-helpers.js';
