// The floor for the ack benchmark: a bare node:http server that only verifies Slack's request
// signature (HMAC-SHA256 of `v0:<timestamp>:<body>`, compared in constant time, timestamp within
// 5 minutes) and answers 200 — what Node itself can do on this machine.
import { createHmac, timingSafeEqual } from 'node:crypto';
import http from 'node:http';

const secret = process.env.SLACK_SIGNING_SECRET ?? '';

const server = http.createServer((request, response) => {
  const chunks: Buffer[] = [];
  request.on('data', (c: Buffer) => chunks.push(c));
  request.on('end', () => {
    const body = Buffer.concat(chunks).toString();
    const ts = String(request.headers['x-slack-request-timestamp'] ?? '');
    const given = Buffer.from(String(request.headers['x-slack-signature'] ?? ''));
    const expected = Buffer.from(
      `v0=${createHmac('sha256', secret).update(`v0:${ts}:${body}`).digest('hex')}`,
    );
    const fresh = Math.abs(Date.now() / 1000 - Number(ts)) < 300;
    const ok = fresh && given.length === expected.length && timingSafeEqual(given, expected);
    response.writeHead(ok ? 200 : 401, { 'content-type': 'application/json' });
    response.end(ok ? '' : '{"error":"request_verification_failed"}');
  });
});
server.keepAliveTimeout = 65_000;
server.listen(Number(process.env.PORT ?? 3101), '127.0.0.1', () =>
  console.log(JSON.stringify({ msg: 'bare ready' })),
);
