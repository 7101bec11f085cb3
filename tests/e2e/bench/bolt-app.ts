// The peer for the ack benchmark: a minimal @slack/bolt app that only verifies and acks /coffee.
import { App, LogLevel } from '@slack/bolt';

const app = new App({
  signingSecret: process.env.SLACK_SIGNING_SECRET ?? '',
  // A fixed authorization: no auth.test call (nothing outside this machine is reachable).
  authorize: async () => ({ botToken: 'xoxb-not-used', botId: 'B0BENCH', botUserId: 'U0BENCH' }),
  logLevel: (process.env.BOLT_LOG_LEVEL as LogLevel) ?? LogLevel.ERROR,
});
app.command('/coffee', async ({ ack }) => {
  await ack();
});
app.start(Number(process.env.PORT ?? 3100)).then(() => console.log(JSON.stringify({ msg: 'bolt ready' })));
