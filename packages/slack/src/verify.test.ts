import { createHmac } from 'node:crypto';
import { ReplayGuard, SlackVerificationError, verifySlackRequest } from './verify';

const secret = '8f742231b10e8888abcd99yyyzzz85a5';
const now = 1_795_000_000;

/** Signs like Slack does (written out here, independently of the code under test). */
function signed(body: string, timestamp = now) {
  const signature = `v0=${createHmac('sha256', secret).update(`v0:${timestamp}:${body}`).digest('hex')}`;
  return {
    rawBody: body,
    headers: { 'x-slack-signature': signature, 'x-slack-request-timestamp': String(timestamp) },
  };
}

const codeOf = (fn: () => void) => {
  try {
    fn();
    return 'ok';
  } catch (error) {
    return (error as SlackVerificationError).code;
  }
};

describe('verifySlackRequest', () => {
  const body = 'token=x&team_id=T0001&command=%2Fcoffee&text=10%3A30';

  it('accepts a correctly signed, fresh request', () => {
    expect(codeOf(() => verifySlackRequest(secret, signed(body), now))).toBe('ok');
    expect(codeOf(() => verifySlackRequest(secret, signed(body, now - 299), now))).toBe('ok');
  });

  it('refuses a wrong signature, a tampered body and another secret', () => {
    const request = signed(body);
    expect(codeOf(() => verifySlackRequest(secret, { ...request, rawBody: `${body}x` }, now))).toBe(
      'INVALID_SIGNATURE',
    );
    expect(codeOf(() => verifySlackRequest('another-secret', request, now))).toBe('INVALID_SIGNATURE');
    const truncated = {
      ...request.headers,
      'x-slack-signature': request.headers['x-slack-signature'].slice(0, 20),
    };
    expect(codeOf(() => verifySlackRequest(secret, { rawBody: body, headers: truncated }, now))).toBe(
      'INVALID_SIGNATURE',
    );
  });

  it('refuses stale and future timestamps beyond five minutes', () => {
    expect(codeOf(() => verifySlackRequest(secret, signed(body, now - 301), now))).toBe('STALE_TIMESTAMP');
    expect(codeOf(() => verifySlackRequest(secret, signed(body, now + 301), now))).toBe('FUTURE_TIMESTAMP');
  });

  it('refuses missing or malformed headers', () => {
    const { headers } = signed(body);
    expect(
      codeOf(() =>
        verifySlackRequest(
          secret,
          { rawBody: body, headers: { 'x-slack-request-timestamp': headers['x-slack-request-timestamp'] } },
          now,
        ),
      ),
    ).toBe('MISSING_SIGNATURE');
    expect(
      codeOf(() =>
        verifySlackRequest(
          secret,
          { rawBody: body, headers: { 'x-slack-signature': headers['x-slack-signature'] } },
          now,
        ),
      ),
    ).toBe('MISSING_TIMESTAMP');
    expect(
      codeOf(() =>
        verifySlackRequest(
          secret,
          { rawBody: body, headers: { ...headers, 'x-slack-request-timestamp': '12abc' } },
          now,
        ),
      ),
    ).toBe('INVALID_TIMESTAMP');
  });

  it('never verifies with an empty secret', () => {
    expect(() => verifySlackRequest('', signed(body), now)).toThrow(/signing secret is empty/);
  });
});

describe('ReplayGuard', () => {
  it('refuses the same signature twice inside the window and forgets it afterwards', () => {
    const guard = new ReplayGuard(600);
    guard.check('v0=abc', now);
    expect(() => guard.check('v0=abc', now + 10)).toThrow(SlackVerificationError);
    guard.check('v0=def', now + 10);
    expect(() => guard.check('v0=abc', now + 601)).not.toThrow();
  });
});
