import { z } from 'zod';
import { episodeSchema, movieSchema, showSchema } from './media.js';

/**
 * One search or ID-lookup result (REFERENCE §7): `{type, score, movie|show|episode(+show)|person|list}`.
 * `score` is documented as an integer but is a float in real answers and null on ID lookups.
 * `person` and `list` results are accepted (we never ask for them) and skipped by the mapper.
 */
export const searchResultSchema = z
  .object({
    type: z.string(),
    score: z.number().nullable().optional(),
    movie: movieSchema.optional(),
    show: showSchema.optional(),
    episode: episodeSchema.optional(),
  })
  .check((ctx) => {
    const v = ctx.value;
    const need = (key: 'movie' | 'show' | 'episode'): void => {
      if (v[key] === undefined) {
        ctx.issues.push({ code: 'custom', message: `required for type "${v.type}"`, path: [key], input: v });
      }
    };
    if (v.type === 'movie') need('movie');
    if (v.type === 'show') need('show');
    if (v.type === 'episode') {
      need('episode');
      need('show');
    }
  });
export const searchResultsSchema = z.array(searchResultSchema);
export type WireSearchResult = z.infer<typeof searchResultSchema>;
