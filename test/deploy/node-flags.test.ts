import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

/**
 * The service's Node flags (its heap's size and growth: README, "Memory") are written in three places
 * that start it: `npm start`, the image's CMD and the CI's image smoke test, which starts it the way the
 * image does. bench/telegram reads them from `npm start`. They must stay the same.
 */
const root = new URL('../../', import.meta.url);
const read = (file: string) => readFileSync(new URL(file, root), 'utf8');

function flagsOf(command: string): string[] {
  const match = /\bnode\s+(.*?)\s*dist\/main\.js/.exec(command);
  if (match === null) throw new Error(`no "node ... dist/main.js" in: ${command}`);
  return (match[1] ?? '').split(/\s+/).filter(Boolean);
}

const pkg = JSON.parse(read('package.json')) as { scripts: Record<string, string> };
const start = flagsOf(pkg.scripts.start ?? '');

describe('the Node flags the service starts with', () => {
  it('npm start sets the heap limits', () => {
    expect(start).toContain('--max-old-space-size=512');
    expect(start).toContain('--max-semi-space-size=4');
  });

  it('the image starts node with the same flags as npm start', () => {
    const cmd = /^CMD\s+(\[.*\])\s*$/m.exec(read('Dockerfile'))?.[1];
    expect(cmd).toBeDefined();
    const argv = JSON.parse(cmd ?? '[]') as string[];
    expect(argv[0]).toBe('node');
    expect(argv.at(-1)).toBe('dist/main.js');
    expect(argv.slice(1, -1)).toEqual(start);
  });

  it('the image smoke test starts it with the same flags', () => {
    const line = read('.ci/image-smoke')
      .split('\n')
      .find((l) => /^\s*node\s.*dist\/main\.js/.test(l));
    expect(line).toBeDefined();
    expect(flagsOf(line ?? '')).toEqual(start);
  });
});
