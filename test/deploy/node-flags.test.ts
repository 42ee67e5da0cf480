import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

/**
 * How the service is started (README, "Memory": its heap's size and growth, and glibc's malloc settings)
 * is written in three places: `npm start`, the image (ENV and CMD) and the CI's image smoke test, which
 * starts it the way the image does. bench/telegram reads it from `npm start`. They must stay the same.
 */
const root = new URL('../../', import.meta.url);
const read = (file: string) => readFileSync(new URL(file, root), 'utf8');

function flagsOf(command: string): string[] {
  const match = /\bnode\s+(.*?)\s*dist\/main\.js/.exec(command);
  if (match === null) throw new Error(`no "node ... dist/main.js" in: ${command}`);
  return (match[1] ?? '').split(/\s+/).filter(Boolean);
}

/** NAME=value pairs for the given names, as written in a text (shell or Dockerfile ENV). */
function settingsIn(text: string, names: readonly string[]): Record<string, string | undefined> {
  return Object.fromEntries(names.map((name) => [name, new RegExp(`\\b${name}=(\\S+?)(?=\\s|\\\\|$)`).exec(text)?.[1]]));
}

const pkg = JSON.parse(read('package.json')) as { scripts: Record<string, string> };
const startScript = pkg.scripts.start ?? '';
const start = flagsOf(startScript);
const MALLOC = ['MALLOC_MMAP_THRESHOLD_', 'MALLOC_TRIM_THRESHOLD_'] as const;

describe('how the service is started', () => {
  it('npm start sets the heap limits and glibc malloc settings', () => {
    expect(start).toContain('--max-old-space-size=512');
    expect(start).toContain('--max-semi-space-size=2');
    expect(startScript).toMatch(/^exec env (\w+=\S+ )+node /);
    expect(settingsIn(startScript, MALLOC)).toEqual({ MALLOC_MMAP_THRESHOLD_: '16384', MALLOC_TRIM_THRESHOLD_: '131072' });
  });

  it('the image starts node with the same flags and environment as npm start', () => {
    const dockerfile = read('Dockerfile');
    const cmd = /^CMD\s+(\[.*\])\s*$/m.exec(dockerfile)?.[1];
    expect(cmd).toBeDefined();
    const argv = JSON.parse(cmd ?? '[]') as string[];
    expect(argv[0]).toBe('node');
    expect(argv.at(-1)).toBe('dist/main.js');
    expect(argv.slice(1, -1)).toEqual(start);
    // The runtime stage's ENV (the last FROM onwards).
    const runtime = dockerfile.slice(dockerfile.lastIndexOf('\nFROM '));
    expect(settingsIn(runtime, MALLOC)).toEqual(settingsIn(startScript, MALLOC));
  });

  it('the image smoke test starts it with the same flags and environment', () => {
    const smoke = read('.ci/image-smoke');
    const line = smoke.split('\n').find((l) => /^\s*node\s.*dist\/main\.js/.test(l));
    expect(line).toBeDefined();
    expect(flagsOf(line ?? '')).toEqual(start);
    expect(settingsIn(smoke, MALLOC)).toEqual(settingsIn(startScript, MALLOC));
  });
});
