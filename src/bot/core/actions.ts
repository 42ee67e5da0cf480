import { randomBytes } from 'node:crypto';
import type { NewPendingAction, PendingActionStore } from './ports.js';
import type { Button, ButtonStyle, Platform } from './types.js';

/**
 * Button data: `v1:<action>:<id>`. The id is opaque and short; the state (owner, payload, expiry)
 * lives in the pending-actions table, so the encoded form stays ASCII and far below both limits,
 * whatever the title's language: Telegram's 64 bytes of `callback_data` and Discord's 100
 * characters of `custom_id` (ARCHITECTURE principle 10).
 *
 * The buttons of one message form a view: their ids are the view id plus a two-character index, so a
 * press can consume the whole view at once (Confirm and Cancel of one card cannot both act).
 */
export const ACTION_VERSION = 'v1';
/** The strictest platform limit: Telegram's callback_data, in bytes. */
export const MAX_ACTION_BYTES = 64;

const VIEW_ID_BYTES = 9; // 12 base64url characters
const INDEX_CHARS = 2;
const ACTION_NAME = /^[a-z][a-z-]{0,15}$/;
const ACTION_ID = /^[A-Za-z0-9_-]{1,40}$/;

/** Static actions need no stored state: anyone may press them. */
export const STATIC_IDS = { linkNew: 'new' } as const;

export interface DecodedAction {
  action: string;
  id: string;
}

export function encodeAction(action: string, id: string): string {
  if (!ACTION_NAME.test(action)) throw new Error(`invalid action name: ${action}`);
  if (!ACTION_ID.test(id)) throw new Error('invalid action id');
  const data = `${ACTION_VERSION}:${action}:${id}`;
  if (Buffer.byteLength(data, 'utf8') > MAX_ACTION_BYTES) throw new Error('encoded action too long');
  return data;
}

/** Undefined for anything that is not a well-formed `v1` action (old formats, forgeries, junk). */
export function decodeAction(data: string): DecodedAction | undefined {
  if (Buffer.byteLength(data, 'utf8') > MAX_ACTION_BYTES) return undefined;
  const parts = data.split(':');
  if (parts.length !== 3 || parts[0] !== ACTION_VERSION) return undefined;
  const [, action, id] = parts as [string, string, string];
  if (!ACTION_NAME.test(action) || !ACTION_ID.test(id)) return undefined;
  return { action, id };
}

export function viewIdOf(actionId: string): string {
  return actionId.slice(0, actionId.length - INDEX_CHARS);
}

export function newViewId(): string {
  return randomBytes(VIEW_ID_BYTES).toString('base64url');
}

const INDEX_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

function indexId(index: number): string {
  const hi = INDEX_ALPHABET[Math.floor(index / 64)];
  const lo = INDEX_ALPHABET[index % 64];
  if (hi === undefined || lo === undefined) throw new Error('too many buttons in one view');
  return `${hi}${lo}`;
}

export interface ViewOwner {
  identityId: number;
  platform: Platform;
  chatId: string;
}

/**
 * Takes a view's rows instead of storing them (true), or leaves them to be stored now (false). A press
 * holds its views until its card is made (see CoreContext.heldViews).
 */
export type ViewHold = (viewId: string, rows: NewPendingAction[]) => boolean;

/**
 * Collects the buttons of one message and stores their state in one insert. Buttons made here act
 * only for `owner` and only until `expiresAt`.
 */
export class ViewBuilder {
  readonly viewId = newViewId();
  private readonly rows: NewPendingAction[] = [];

  constructor(
    private readonly owner: ViewOwner,
    readonly expiresAt: Date,
    private readonly hold?: ViewHold,
  ) {}

  button(label: string, action: string, payload: unknown, style?: ButtonStyle): Button {
    const id = `${this.viewId}${indexId(this.rows.length)}`;
    this.rows.push({
      id,
      ownerIdentityId: this.owner.identityId,
      platform: this.owner.platform,
      chatId: this.owner.chatId,
      action,
      payload,
      expiresAt: this.expiresAt,
    });
    return style === undefined ? { label, action: encodeAction(action, id) } : { label, action: encodeAction(action, id), style };
  }

  /**
   * State that belongs to the view but to no button (a selection its buttons share): stored as one
   * more row of the view, under `kind`, which no action answers to, so it cannot be pressed. Its id
   * goes into the buttons' payloads; the action reads it back with `PendingActionStore.find`.
   */
  data(kind: string, payload: unknown): string {
    const id = `${this.viewId}${indexId(this.rows.length)}`;
    this.rows.push({
      id,
      ownerIdentityId: this.owner.identityId,
      platform: this.owner.platform,
      chatId: this.owner.chatId,
      action: kind,
      payload,
      expiresAt: this.expiresAt,
    });
    return id;
  }

  get size(): number {
    return this.rows.length;
  }

  async save(store: PendingActionStore): Promise<void> {
    if (this.rows.length === 0 || this.hold?.(this.viewId, [...this.rows]) === true) return;
    await store.create(this.rows);
  }
}
