export * from './rows.js';
export { readImport, detectFormat, rowKey } from './detect.js';
export { imdbKind } from './imdb.js';
export { rowToEntry } from './entries.js';
export { exportMarqueeJson, exportLetterboxdCsv, exportImdbCsv, toReadable, type ExportOptions } from './export.js';
