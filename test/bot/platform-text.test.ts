import { describe, expect, it } from 'vitest';
import { cleanPlatformText } from '../../src/bot/core/text.js';

describe('cleanPlatformText', () => {
  it('GIVEN lone surrogates of either half THEN they are removed and valid pairs stay', () => {
    expect(cleanPlatformText('\uD83Dabc')).toBe('abc');
    expect(cleanPlatformText('a\uDC00b')).toBe('ab');
    expect(cleanPlatformText('\uDE00\uD83D')).toBe('');
    expect(cleanPlatformText('ok 😀 ✓')).toBe('ok 😀 ✓');
  });

  it('GIVEN NUL and other C0 controls THEN only newline and tab survive', () => {
    expect(cleanPlatformText('a\u0000b\u0007c\u001Bd\u007F\ne\tf')).toBe('abcd\ne\tf');
  });

  it('GIVEN non-characters THEN they are removed, in every plane', () => {
    expect(cleanPlatformText('\uFDD0x\uFFFE\uFFFF')).toBe('x');
    expect(cleanPlatformText('\uD83F\uDFFEy\uDBFF\uDFFF')).toBe('y');
    // U+1FFFD is a valid (unassigned) character: it stays.
    expect(cleanPlatformText('\uD83F\uDFFD')).toBe('\uD83F\uDFFD');
  });
});
