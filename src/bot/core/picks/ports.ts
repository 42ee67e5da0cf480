/**
 * What group picks need from storage. `src/bot/services/stores.ts` implements it over
 * `src/db/queries/picks.ts`; every operation that two members may race on is one statement or one
 * transaction there, so the session stays consistent whatever the order of presses.
 */
import type { Platform } from '../types.js';
import type { BallotItem, MemberVia, PickKind, PickMember, PickOptions, PickResult, PickSession, PoolInfo, PooledTitle } from './model.js';
import type { Title } from '../ports.js';

export interface PoolQuery {
  identityIds: number[];
  types: PickKind[];
  genre?: string;
  maxRuntime?: number;
  yearFrom?: number;
  yearTo?: number;
  /** Item keys left out (this chat's recent picks, titles already nominated). */
  exclude: string[];
  limit: number;
}

export type VoteOutcome =
  | { ok: true; approvals: number[] }
  | { ok: false; reason: 'not-member' | 'cap' | 'closed' | 'no-such-title' };

export interface PickStore {
  /** Opens a session unless the chat has a live one: then that one, with `created: false`. */
  open(input: { token: string; platform: Platform; chatId: string; hostIdentityId: number; options: PickOptions }): Promise<{ session: PickSession; created: boolean }>;
  /** The chat's live (gathering or voting) session. */
  live(platform: Platform, chatId: string): Promise<PickSession | undefined>;
  byToken(token: string): Promise<PickSession | undefined>;
  byId(id: number): Promise<PickSession | undefined>;
  /** The session card's message (the newest one shown). */
  setCard(sessionId: number, messageId: string): Promise<void>;
  /** Current members (not those who left). */
  members(sessionId: number): Promise<PickMember[]>;
  /**
   * Adds or updates a member of a live session (a member who left joins again with no votes).
   * `upgrade`: an awaiting member becomes `via`. False when the session is not live.
   */
  join(sessionId: number, member: { identityId: number; displayName: string; via: MemberVia; traktUsername?: string }): Promise<boolean>;
  /** Leaves (votes withdrawn); false when not a member. */
  leave(sessionId: number, identityId: number, now: Date): Promise<boolean>;
  setNotify(sessionId: number, identityId: number, notify: boolean): Promise<boolean>;
  /** Awaiting-link memberships of live sessions become `linked`; returns those sessions. */
  promoteAwaiting(identityId: number): Promise<PickSession[]>;
  ballot(sessionId: number): Promise<BallotItem[]>;
  /** Adds a nomination while the session gathers; `full` when the ballot holds `maxSize` already. */
  nominate(sessionId: number, item: { itemKey: string; title: Title; identityId: number }, maxSize: number): Promise<'nominated' | 'already' | 'full' | 'closed'>;
  /** The most wanted titles across these members' watchlist copies, most wanted first, then by rating. */
  pool(query: PoolQuery): Promise<PooledTitle[]>;
  /** How many of these members want each of these titles (for nominations). */
  wantedBy(identityIds: number[], itemKeys: string[]): Promise<Map<string, number>>;
  /** Gathering → voting with the ballot appended after the nominations; false when no longer gathering. */
  startVote(sessionId: number, input: { pooled: PooledTitle[]; nominatedWanted: Map<string, number>; cap: number; deadline: Date; pool: PoolInfo; now: Date }): Promise<boolean>;
  /** Toggles one approval (the cap checked in the same statement). */
  toggleVote(sessionId: number, identityId: number, position: number): Promise<VoteOutcome>;
  /** Sets a member's approvals to exactly these (a multi-select). */
  setVotes(sessionId: number, identityId: number, positions: number[]): Promise<VoteOutcome>;
  /**
   * Ends a live session: voting → closed (or any live → cancelled). True for exactly one caller; votes
   * counted before it are in, later ones are refused.
   */
  finish(sessionId: number, status: 'closed' | 'cancelled', closedBy: string, now: Date): Promise<boolean>;
  /** Records the result once (true for the one caller that did). */
  saveResult(sessionId: number, result: PickResult): Promise<boolean>;
  /** Closed sessions of the chat, newest first. */
  history(platform: Platform, chatId: string, limit: number): Promise<PickSession[]>;
  /** Item keys this chat picked since then. */
  recentWinners(platform: Platform, chatId: string, since: Date): Promise<string[]>;
}
