import { isTransientError, TransientError } from './transient';

/** Errors shaped as the libraries throw them (codes read off real failures, see the comments). */
const prisma = (code: string, sqlState?: string) =>
  Object.assign(new Error(`prisma ${code}`), {
    code,
    meta: sqlState ? { driverAdapterError: { cause: { originalCode: sqlState, kind: 'postgres' } } } : {},
  });
const slackPlatform = (error: string) =>
  Object.assign(new Error(`An API error occurred: ${error}`), {
    code: 'slack_webapi_platform_error',
    data: { ok: false, error },
  });

describe('isTransientError', () => {
  it.each([
    ['P2028: no connection within maxWait / transaction expired', prisma('P2028')],
    ['P2037: too many database connections', prisma('P2037')],
    ['P2024: pool timeout', prisma('P2024')],
    ['P1001: database unreachable', prisma('P1001')],
    ['P2034: write conflict', prisma('P2034')],
    ['P2010 wrapping 55P03 lock_timeout', prisma('P2010', '55P03')],
    ['P2010 wrapping 57014 statement_timeout', prisma('P2010', '57014')],
    ['P2010 wrapping 40001 serialization failure', prisma('P2010', '40001')],
    ['P2010 wrapping 40P01 deadlock', prisma('P2010', '40P01')],
    ['P2010 wrapping 53300 too many connections', prisma('P2010', '53300')],
    ['P2010 wrapping 57P01 admin shutdown', prisma('P2010', '57P01')],
    ['pg 08006 connection failure', Object.assign(new Error('x'), { code: '08006' })],
    ['ECONNRESET', Object.assign(new Error('socket'), { code: 'ECONNRESET' })],
    ['Slack internal_error', slackPlatform('internal_error')],
    ['Slack fatal_error', slackPlatform('fatal_error')],
    ['Slack service_unavailable', slackPlatform('service_unavailable')],
    ['Slack request_timeout', slackPlatform('request_timeout')],
    ['Slack ratelimited', slackPlatform('ratelimited')],
    ['Slack HTTP 5xx', Object.assign(new Error('503'), { code: 'slack_webapi_http_error' })],
    ['a TransientError', new TransientError('wait')],
    ['a transient cause', new Error('outer', { cause: prisma('P2028') })],
  ])('%s is transient', (_label, error) => {
    expect(isTransientError(error)).toBe(true);
  });

  it.each([
    ['P2010 wrapping 23505 unique violation', prisma('P2010', '23505')],
    ['P2010 wrapping 22P02 invalid text representation', prisma('P2010', '22P02')],
    ['P2002 unique constraint', prisma('P2002')],
    ['Slack channel_not_found', slackPlatform('channel_not_found')],
    ['Slack restricted_action', slackPlatform('restricted_action')],
    ['Slack message_not_found', slackPlatform('message_not_found')],
    ['Slack some_new_error', slackPlatform('some_new_error')],
    ['a plain Error', new Error('bug')],
    ['not an error', 'oops'],
  ])('%s is not transient', (_label, error) => {
    expect(isTransientError(error)).toBe(false);
  });
});
