export * from './rows.js';
export { readImport, detectFormat, rowKey } from './detect.js';
export { imdbKind } from './imdb.js';
export { rowToEntry } from './entries.js';
export { lookupPlan, judge, matchRow, type Lookup, type Candidate, type Verdict, type MediaType } from './match.js';
export { exportMarqueeJson, exportLetterboxdCsv, exportImdbCsv, toReadable, type ExportOptions } from './export.js';
