import type { Db } from '../../db/client.js';
import {
  claimUnsentNotices,
  dropUnsentNotices,
  noticeSettingsOf,
  noticeSubscribers,
  recordNotices,
  releaseNotices,
  saveNoticeSettings,
  unsentNoticeCount,
  type NoticeSettingsPatch,
} from '../../db/queries/notices.js';
import type { NoticeRow, NoticeSettingsRow } from '../../db/schema.js';
import type { NoticeDetail, NoticeEvent, NoticeSettings, NoticeStore, StoredNotice } from '../core/release-notices.js';

function settingsOf(row: NoticeSettingsRow): NoticeSettings {
  return {
    enabled: row.enabled,
    enabledAt: row.enabledAt,
    quiet: row.quietStartMinute === null || row.quietEndMinute === null ? null : { startMinute: row.quietStartMinute, endMinute: row.quietEndMinute },
    timeZone: row.timeZone,
  };
}

function noticeOf(row: NoticeRow): StoredNotice {
  return { id: row.id, itemKey: row.itemKey, event: row.event as NoticeEvent, detail: row.detail as NoticeDetail, occurredAt: row.occurredAt };
}

/** The core's NoticeStore over src/db/queries/notices.ts. */
export function createNoticeStore(db: Db, clock: () => Date = () => new Date()): NoticeStore {
  return {
    async settings(identityId) {
      const row = await noticeSettingsOf(db, identityId);
      return row === undefined ? undefined : settingsOf(row);
    },
    async save(identityId, patch) {
      const values: NoticeSettingsPatch = {
        ...(patch.enabled === undefined ? {} : { enabled: patch.enabled }),
        ...(patch.enabledAt === undefined ? {} : { enabledAt: patch.enabledAt }),
        ...(patch.timeZone === undefined ? {} : { timeZone: patch.timeZone }),
        ...(patch.quiet === undefined ? {} : { quietStartMinute: patch.quiet?.startMinute ?? null, quietEndMinute: patch.quiet?.endMinute ?? null }),
      };
      return settingsOf(await saveNoticeSettings(db, identityId, values, clock()));
    },
    async subscribers() {
      return (await noticeSubscribers(db)).map((row) => ({
        identityId: row.settings.identityId,
        platform: row.platform,
        userId: row.platformUserId,
        settings: settingsOf(row.settings),
      }));
    },
    record: (identityId, notices, now) => recordNotices(db, identityId, notices, now),
    claimUnsent: async (identityId, now) => (await claimUnsentNotices(db, identityId, now)).map(noticeOf),
    release: (ids, claimedAt) => releaseNotices(db, ids, claimedAt),
    unsentCount: (identityId) => unsentNoticeCount(db, identityId),
    dropUnsent: (identityId) => dropUnsentNotices(db, identityId),
  };
}
