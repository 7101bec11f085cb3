import { Writable } from 'node:stream';
import { createLogger, lazyChild } from './logger';

function capture() {
  const lines: Record<string, unknown>[] = [];
  const destination = new Writable({
    write(chunk, _encoding, done) {
      for (const line of String(chunk).split('\n').filter(Boolean)) lines.push(JSON.parse(line));
      done();
    },
  });
  return { lines, destination };
}

describe('lazyChild', () => {
  it('makes no child for a line below the level, and a redacting child with the bindings otherwise', async () => {
    const { lines, destination } = capture();
    const logger = createLogger({ service: 'test', level: 'info', destination });
    const child = jest.spyOn(logger, 'child');
    const log = lazyChild(logger, { correlationId: 'c-1', channelId: 'C1' });
    log.debug({ detail: 1 }, 'not shown');
    expect(child).not.toHaveBeenCalled();
    log.info({ token: 'xoxb-secret' }, 'shown');
    log.warn('again');
    expect(child).toHaveBeenCalledTimes(1);
    await new Promise((resolve) => setImmediate(resolve));
    expect(lines.map((l) => [l.msg, l.correlationId, l.channelId, l.level])).toEqual([
      ['shown', 'c-1', 'C1', 'info'],
      ['again', 'c-1', 'C1', 'warn'],
    ]);
    expect(lines[0]?.token).toBe('[redacted]');
    expect(log.isLevelEnabled('debug')).toBe(false);
  });
});
