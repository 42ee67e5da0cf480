import { z } from 'zod';

/**
 * POST /oauth/token and a 200 from /oauth/device/token (REFERENCE §3.3). `created_at` is unix seconds; the
 * lifetime comes only from `expires_in` (REFERENCE §3.4: it changed from 3 months to 24 h to 7 days).
 */
export const tokenResponseSchema = z.object({
  access_token: z.string().min(1),
  refresh_token: z.string().min(1),
  token_type: z.string().optional(),
  expires_in: z.number().positive(),
  scope: z.string().optional(),
  created_at: z.number().optional(),
});
export type WireTokenResponse = z.infer<typeof tokenResponseSchema>;

/** POST /oauth/device/code (REFERENCE §3.7). */
export const deviceCodeResponseSchema = z.object({
  device_code: z.string().min(1),
  user_code: z.string().min(1),
  verification_url: z.string(),
  expires_in: z.number().positive(),
  interval: z.number().positive(),
});
export type WireDeviceCodeResponse = z.infer<typeof deviceCodeResponseSchema>;

/** OAuth error body: `{error, error_description}` (REFERENCE §3.3). */
export const oauthErrorSchema = z.object({
  error: z.string(),
  error_description: z.string().optional(),
});

/** POST /oauth/revoke answers 200 with an empty body (or `{}` in the docs). */
export const revokeResponseSchema = z.object({});
