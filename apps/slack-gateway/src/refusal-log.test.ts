import { capturingLogger } from '@coffeebuddy/contracts/testing';
import { RefusalLog } from './refusal-log';

describe('RefusalLog', () => {
  it('writes at most perMinute lines a minute, then says how many it left out, by code', () => {
    const { logger, lines } = capturingLogger('info');
    let now = 0;
    const log = new RefusalLog(logger, 3, () => now);
    for (let i = 0; i < 10; i += 1)
      log.warn(i % 2 ? 'INVALID_SIGNATURE' : 'UNSUPPORTED_MEDIA_TYPE', { i }, 'refused');
    expect(lines.filter((l) => l.msg === 'refused')).toHaveLength(3);
    now = 60_000;
    log.warn('INVALID_SIGNATURE', {}, 'refused');
    expect(lines.find((l) => l.msg?.toString().includes('not logged'))).toMatchObject({
      suppressed: { UNSUPPORTED_MEDIA_TYPE: 3, INVALID_SIGNATURE: 4 },
    });
    expect(lines.filter((l) => l.msg === 'refused')).toHaveLength(4);
  });
});
