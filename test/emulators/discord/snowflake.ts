// Discord snowflakes: 42 bits of milliseconds since the Discord epoch (2015-01-01), 5 bits worker,
// 5 bits process, 12 bits increment. Ids made here are real snowflakes, so code that reads the
// creation time from an id (discord.js `createdTimestamp`) sees the emulator's clock.

export const DISCORD_EPOCH = 1_420_070_400_000n;

export class SnowflakeGenerator {
  private last = 0n;

  constructor(private readonly workerId = 1n) {}

  next(at: number = Date.now()): string {
    let id = ((BigInt(at) - DISCORD_EPOCH) << 22n) | (this.workerId << 17n);
    // Keep ids strictly increasing even when many are made within one millisecond.
    if (id <= this.last) id = this.last + 1n;
    this.last = id;
    return id.toString();
  }
}

export function snowflakeTimestamp(id: string): number {
  return Number((BigInt(id) >> 22n) + DISCORD_EPOCH);
}

export function isSnowflake(value: unknown): value is string {
  return typeof value === 'string' && /^\d{1,20}$/.test(value);
}
