import { createServer, type Server } from 'node:http';
import { randomInt } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setTimeout as sleep } from 'node:timers/promises';
import { createPosterSource } from '../../src/bot/services/posters.js';
import { findPoster } from '../../src/db/queries/poster-cache.js';
import type { Database } from '../../src/db/client.js';
import { DRIVER_NAME, sharedTestDatabase, countStatements } from '../helpers/db.js';
import { captureLogs } from '../helpers/logs.js';

/** A poster's first card: the file id and the stored image are read together; later cards read nothing. */
let database: Database;
let server: Server;
let base = '';
let downloads = 0;
beforeAll(async () => {
  database = await sharedTestDatabase();
  server = createServer((_req, res) => {
    downloads += 1;
    res.writeHead(200, { 'content-type': 'image/jpeg' });
    res.end(Buffer.from([0xff, 0xd8, 0xff, 0xd9]));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

const counted = <T>(work: () => Promise<T>) => countStatements(database, work);

describe(`poster reads (${DRIVER_NAME})`, () => {
  it('GIVEN an image stored by another process WHEN its first card asks for a file id and then the image THEN one read answers both; once uploaded no read at all', async () => {
    const url = `${base}/poster-${randomInt(1e9)}.jpg`;
    const first = createPosterSource({ db: database.db, logger: captureLogs().logger });
    expect(await first.image(url)).toMatchObject({ contentType: 'image/jpeg' });
    expect(downloads).toBe(1);

    const posters = createPosterSource({ db: database.db, logger: captureLogs().logger });
    const miss = await counted(async () => ({ fileId: await posters.fileId('telegram', url), image: await posters.image(url) }));
    expect(miss.value.fileId).toBeUndefined();
    expect(miss.value.image?.data).toEqual(Buffer.from([0xff, 0xd8, 0xff, 0xd9]));
    expect(miss.queries).toBe(1);
    expect(downloads).toBe(1);

    await posters.rememberFileId('telegram', url, 'file-1');
    expect(await counted(() => posters.fileId('telegram', url))).toEqual({ value: 'file-1', queries: 0 });
    const other = createPosterSource({ db: database.db, logger: captureLogs().logger });
    expect(await counted(() => other.fileId('telegram', url))).toEqual({ value: 'file-1', queries: 1 });
  });

  it('GIVEN inline results asking for known file ids THEN only the file id is read, a miss is remembered briefly, and an upload is seen at once', async () => {
    const url = `${base}/poster-${randomInt(1e9)}.jpg`;
    const posters = createPosterSource({ db: database.db, logger: captureLogs().logger });
    expect(await counted(() => posters.knownFileId!('telegram', url))).toEqual({ value: undefined, queries: 1 });
    expect(await counted(() => posters.knownFileId!('telegram', url))).toEqual({ value: undefined, queries: 0 });
    await posters.rememberFileId('telegram', url, 'file-2');
    expect(await counted(() => posters.knownFileId!('telegram', url))).toEqual({ value: 'file-2', queries: 0 });
    const other = createPosterSource({ db: database.db, logger: captureLogs().logger });
    expect(await counted(() => other.knownFileId!('telegram', url))).toEqual({ value: 'file-2', queries: 1 });
  });

  it('GIVEN a new image WHEN its first card asks THEN it is downloaded once and stored', async () => {
    const url = `${base}/poster-${randomInt(1e9)}.jpg`;
    const posters = createPosterSource({ db: database.db, logger: captureLogs().logger });
    const before = downloads;
    expect(await posters.fileId('discord', url)).toBeUndefined();
    expect(await posters.image(url)).toMatchObject({ contentType: 'image/jpeg' });
    expect(downloads).toBe(before + 1);
    expect(await createPosterSource({ db: database.db, logger: captureLogs().logger }).image(url)).toMatchObject({ contentType: 'image/jpeg' });
    expect(downloads).toBe(before + 1);
  });

  it('GIVEN a search card warms its poster WHEN the adapter then asks for the file id and the image THEN one download in all and the adapter reads nothing more', async () => {
    const url = `${base}/poster-${randomInt(1e9)}.jpg`;
    const posters = createPosterSource({ db: database.db, logger: captureLogs().logger });
    const before = downloads;
    posters.warm!('telegram', url);
    // Warming runs on its own: wait until the image is stored.
    for (let i = 0; i < 200 && (await findPoster(database.db, url))?.data == null; i += 1) await sleep(10);
    expect(downloads).toBe(before + 1);
    const shown = await counted(async () => ({ fileId: await posters.fileId('telegram', url), image: await posters.image(url) }));
    expect(shown.value.fileId).toBeUndefined();
    expect(shown.value.image?.data).toEqual(Buffer.from([0xff, 0xd8, 0xff, 0xd9]));
    expect(shown.queries).toBe(0);
    expect(downloads).toBe(before + 1);

    // Once uploaded, warming the same poster again does nothing.
    await posters.rememberFileId('telegram', url, 'file-3');
    expect(await counted(async () => posters.warm!('telegram', url))).toEqual({ value: undefined, queries: 0 });
  });
});
