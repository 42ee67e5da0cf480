import { describe, expect, it } from 'vitest';
import { LOCALES, translator } from '../../src/bot/core/i18n/index.js';
import type { Button } from '../../src/bot/core/types.js';
import { LIMITS, renderComponents } from '../../src/bot/discord/render.js';
import { ACK_LIMIT, BUTTON_LIMIT } from './limits.js';

/** The adapters' own words (platform) and the core's button answers (buttons) in every language. */
describe.each(LOCALES)('platform and buttons in %s', (locale) => {
  const i18n = translator(locale);

  it('GIVEN more buttons than Discord shows WHEN folded into menus THEN their placeholders are in this language and fit', () => {
    const buttons: Button[][] = Array.from({ length: 30 }, (_, i) => [{ label: `Episode ${i + 1}`, action: `v1:episode:AAAAAAAAAAAA${String(i).padStart(2, 'A')}` }]);
    const rows = renderComponents(buttons, undefined, i18n);
    const placeholders = rows.flatMap((row) => (row.components as Array<{ placeholder?: string }>).map((c) => c.placeholder)).filter((p): p is string => p !== undefined);
    expect(placeholders.length).toBeGreaterThan(0);
    expect(placeholders[0]).toBe(placeholders.length === 1 ? i18n.t('notices:choose') : i18n.t('notices:chooseRange', { from: 1, to: 25 }));
    for (const placeholder of placeholders) expect(placeholder.length).toBeLessThanOrEqual(LIMITS.selectPlaceholder);
  });

  it('GIVEN the button answers and the adapters’ notices THEN each fits where it is shown', () => {
    for (const key of ['buttonInvalidAck', 'buttonStaleAck', 'buttonForeignAck']) expect(i18n.t(`notices:${key}`).length, key).toBeLessThanOrEqual(ACK_LIMIT);
    expect(i18n.t('notices:openPrivateChatButton').length).toBeLessThanOrEqual(BUTTON_LIMIT);
    const long = 'x'.repeat(32);
    expect(i18n.t('notices:unknownCommand', { command: long }).length).toBeLessThanOrEqual(ACK_LIMIT);
    expect(i18n.t('notices:fileTooLarge', { fileName: 'marquee-watchlist-2026-12-07.csv', limit: '10 MB' }).length).toBeLessThan(400);
  });
});
