import type { Db } from '../../db/client.js';
import {
  finishPickSession,
  joinPickSession,
  leavePickSession,
  livePickSession,
  nominatePick,
  openPickSession,
  pickBallotOf,
  pickHistory,
  pickMembersOf,
  pickSessionById,
  pickSessionByToken,
  poolWatchlists,
  promoteAwaitingMembers,
  recentPickWinners,
  savePickResult,
  setPickCard,
  setPickNotify,
  setPickVotes,
  startPickVote,
  togglePickVote,
  wantedCounts,
} from '../../db/queries/picks.js';
import type { PickBallotRow, PickMemberRow, PickSessionRow } from '../../db/schema.js';
import type { BallotItem, PickMember, PickOptions, PickResult, PickSession, PoolInfo } from '../core/picks/model.js';
import type { PickStore } from '../core/picks/ports.js';
import type { Title } from '../core/ports.js';

function session(row: PickSessionRow): PickSession {
  return {
    id: row.id,
    token: row.token,
    platform: row.platform,
    chatId: row.chatId,
    cardMessageId: row.cardMessageId,
    hostIdentityId: row.hostIdentityId,
    status: row.status,
    options: row.options as PickOptions,
    cap: row.cap,
    deadline: row.deadline,
    pool: row.pool as PoolInfo | null,
    result: row.result as PickResult | null,
    closedBy: row.closedBy,
    createdAt: row.createdAt,
    closedAt: row.closedAt,
  };
}

function member(row: PickMemberRow): PickMember {
  return {
    identityId: row.identityId,
    displayName: row.displayName,
    via: row.via,
    traktUsername: row.traktUsername,
    notify: row.notify,
    approvals: row.approvals,
    joinedAt: row.joinedAt,
  };
}

function ballotItem(row: PickBallotRow): BallotItem {
  return { position: row.position, itemKey: row.itemKey, title: row.title as Title, wantedBy: row.wantedBy, nominated: row.nominatedBy !== null };
}

/** Group picks' storage (src/db/queries/picks.ts) as the core's PickStore. */
export function createPickStore(db: Db): PickStore {
  return {
    async open(input) {
      const { row, created } = await openPickSession(db, input);
      return { session: session(row), created };
    },
    live: async (platform, chatId) => {
      const row = await livePickSession(db, platform, chatId);
      return row && session(row);
    },
    byToken: async (token) => {
      const row = await pickSessionByToken(db, token);
      return row && session(row);
    },
    byId: async (id) => {
      const row = await pickSessionById(db, id);
      return row && session(row);
    },
    setCard: (sessionId, messageId) => setPickCard(db, sessionId, messageId),
    members: async (sessionId) => (await pickMembersOf(db, sessionId)).map(member),
    join: (sessionId, input) => joinPickSession(db, sessionId, input),
    leave: (sessionId, identityId, now) => leavePickSession(db, sessionId, identityId, now),
    setNotify: (sessionId, identityId, notify) => setPickNotify(db, sessionId, identityId, notify),
    promoteAwaiting: async (identityId) => (await promoteAwaitingMembers(db, identityId)).map(session),
    ballot: async (sessionId) => (await pickBallotOf(db, sessionId)).map(ballotItem),
    nominate: (sessionId, item, maxSize) => nominatePick(db, sessionId, item, maxSize),
    pool: async (query) => (await poolWatchlists(db, query)).map((row) => ({ itemKey: row.itemKey, wantedBy: row.wantedBy, title: row.target as Title })),
    wantedBy: (identityIds, itemKeys) => wantedCounts(db, identityIds, itemKeys),
    startVote: (sessionId, input) => startPickVote(db, sessionId, input),
    toggleVote: (sessionId, identityId, position) => togglePickVote(db, sessionId, identityId, position),
    setVotes: (sessionId, identityId, positions) => setPickVotes(db, sessionId, identityId, positions),
    finish: (sessionId, status, closedBy, now) => finishPickSession(db, sessionId, status, closedBy, now),
    saveResult: (sessionId, result) => savePickResult(db, sessionId, result),
    history: async (platform, chatId, limit) => (await pickHistory(db, platform, chatId, limit)).map(session),
    recentWinners: (platform, chatId, since) => recentPickWinners(db, platform, chatId, since),
  };
}
