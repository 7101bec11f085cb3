import type { DriverResponse, RecordedCall, SlackEmulator } from '@coffeebuddy/slack-emulator';

/**
 * The `views.open` (or `views.push`) the app made with the `trigger_id` Slack sent in `request`
 * (a slash command, a click, a submission): that person's modal for that request and no one
 * else's. Matching on time and content instead races: two people opening the same run's or
 * channel's modal within a millisecond match each other's call. Resolves with the recorded call
 * (check `response.ok`); rejects after `timeoutMs` (ms) when the app made none, or when the
 * request carried no trigger.
 */
export function viewOpenedFor(
  emulator: SlackEmulator,
  request: DriverResponse,
  method: 'views.open' | 'views.push' = 'views.open',
  timeoutMs = 20_000,
): Promise<RecordedCall> {
  const triggerId = request.sent.triggerId;
  if (!triggerId) return Promise.reject(new Error('the request carried no trigger_id'));
  return emulator.waitForCall(method, (c) => c.args.trigger_id === triggerId, timeoutMs);
}

/** The view ID of the modal the app opened for `request` (see `viewOpenedFor`). */
export async function viewIdOpenedFor(
  emulator: SlackEmulator,
  request: DriverResponse,
  timeoutMs = 20_000,
): Promise<string> {
  const opened = await viewOpenedFor(emulator, request, 'views.open', timeoutMs);
  if (opened.response.ok !== true) {
    throw new Error(`views.open for that request failed: ${JSON.stringify(opened.response)}`);
  }
  return String((opened.response.view as { id: string }).id);
}
