import { z } from 'zod';

const countLimit = z.object({ item_count: z.number().int().nullish() });

/**
 * GET /users/settings (REFERENCE §11). The 2023 example has no `ids.trakt`; the `limits` groups differ between
 * doc versions (`recommendations` in 2023, `favorites`/`notes`/`collection`/`search` in 2025), so all are optional.
 */
export const userSettingsSchema = z.object({
  user: z.object({
    username: z.string(),
    name: z.string().nullish(),
    private: z.boolean().nullish(),
    vip: z.boolean().nullish(),
    vip_ep: z.boolean().nullish(),
    ids: z.object({
      slug: z.string(),
      uuid: z.string().nullish(),
      trakt: z.number().int().nullish(),
    }),
  }),
  account: z
    .object({
      timezone: z.string().nullish(),
    })
    .optional(),
  limits: z
    .object({
      list: z.object({ count: z.number().int().nullish(), item_count: z.number().int().nullish() }).optional(),
      watchlist: countLimit.optional(),
      favorites: countLimit.optional(),
      collection: countLimit.optional(),
      notes: countLimit.optional(),
      recommendations: countLimit.optional(),
      search: z.object({ recent_count: z.number().int().nullish() }).optional(),
    })
    .optional(),
});
export type WireUserSettings = z.infer<typeof userSettingsSchema>;
