// Discord's permission bits (https://discord.com/developers/docs/topics/permissions), by the names
// discord.js uses in PermissionFlagsBits, and how a member's permissions are computed from roles.

export const Permission = {
  CreateInstantInvite: 1n << 0n,
  KickMembers: 1n << 1n,
  BanMembers: 1n << 2n,
  Administrator: 1n << 3n,
  ManageChannels: 1n << 4n,
  ManageGuild: 1n << 5n,
  AddReactions: 1n << 6n,
  ViewAuditLog: 1n << 7n,
  PrioritySpeaker: 1n << 8n,
  Stream: 1n << 9n,
  ViewChannel: 1n << 10n,
  SendMessages: 1n << 11n,
  SendTTSMessages: 1n << 12n,
  ManageMessages: 1n << 13n,
  EmbedLinks: 1n << 14n,
  AttachFiles: 1n << 15n,
  ReadMessageHistory: 1n << 16n,
  MentionEveryone: 1n << 17n,
  UseExternalEmojis: 1n << 18n,
  ViewGuildInsights: 1n << 19n,
  Connect: 1n << 20n,
  Speak: 1n << 21n,
  MuteMembers: 1n << 22n,
  DeafenMembers: 1n << 23n,
  MoveMembers: 1n << 24n,
  UseVAD: 1n << 25n,
  ChangeNickname: 1n << 26n,
  ManageNicknames: 1n << 27n,
  ManageRoles: 1n << 28n,
  ManageWebhooks: 1n << 29n,
  ManageGuildExpressions: 1n << 30n,
  UseApplicationCommands: 1n << 31n,
  RequestToSpeak: 1n << 32n,
  ManageEvents: 1n << 33n,
  ManageThreads: 1n << 34n,
  CreatePublicThreads: 1n << 35n,
  CreatePrivateThreads: 1n << 36n,
  UseExternalStickers: 1n << 37n,
  SendMessagesInThreads: 1n << 38n,
  UseEmbeddedActivities: 1n << 39n,
  ModerateMembers: 1n << 40n,
  ViewCreatorMonetizationAnalytics: 1n << 41n,
  UseSoundboard: 1n << 42n,
  CreateGuildExpressions: 1n << 43n,
  CreateEvents: 1n << 44n,
  UseExternalSounds: 1n << 45n,
  SendVoiceMessages: 1n << 46n,
  SetVoiceChannelStatus: 1n << 48n,
  SendPolls: 1n << 49n,
  UseExternalApps: 1n << 50n,
  PinMessages: 1n << 51n,
  BypassSlowmode: 1n << 52n,
} as const;

export type PermissionName = keyof typeof Permission;

/** Permissions as the driver takes them: names, a bitfield, or its decimal string (as Discord sends it). */
export type PermissionInput = readonly PermissionName[] | bigint | string;

/** Every permission Discord defines (bit 47 is retired): what the guild owner and administrators have. */
export const ALL_PERMISSION_BITS = Object.values(Permission).reduce((all, bit) => all | bit, 0n);

/**
 * The @everyone role of a new guild, as Discord creates it: view channels, send messages, embed links,
 * attach files, read history, reactions, use application commands, voice… but no moderation
 * (no Manage Messages, Kick/Ban, Manage Roles/Channels/Guild, Moderate Members, Administrator).
 */
export const EVERYONE_PERMISSION_BITS = 2248473465835073n;

export function permissionBits(input: PermissionInput): bigint {
  if (typeof input === 'bigint') return input;
  if (typeof input === 'string') {
    if (!/^\d+$/.test(input)) throw new Error(`permissions "${input}" is not a decimal bitfield`);
    return BigInt(input);
  }
  let bits = 0n;
  for (const name of input) {
    const bit = Permission[name];
    if (bit === undefined) throw new Error(`unknown permission ${String(name)}; one of ${Object.keys(Permission).join(', ')}`);
    bits |= bit;
  }
  return bits;
}

/** The names of the bits set in a bitfield (for messages and role names). */
export function permissionNames(bits: bigint): PermissionName[] {
  return (Object.entries(Permission) as Array<[PermissionName, bigint]>).filter(([, bit]) => (bits & bit) === bit).map(([name]) => name);
}

/**
 * A member's permissions in the guild (Discord's base permissions): everything for the owner;
 * otherwise @everyone's permissions or-ed with those of the member's roles, and everything when that
 * includes Administrator. Channel overwrites are not modelled, so this is also the channel's.
 */
export function computePermissions(input: { isOwner: boolean; everyone: bigint; roles: readonly bigint[] }): bigint {
  if (input.isOwner) return ALL_PERMISSION_BITS;
  const bits = input.roles.reduce((acc, role) => acc | role, input.everyone);
  return (bits & Permission.Administrator) === 0n ? bits : ALL_PERMISSION_BITS;
}
