// Plays Slack for a person trying the local stack: sends a signed slash command to the gateway
// and prints what the app answered and posted, as the emulator saw it.
//
//   coffee-cli [--channel C0001] [--user U0001] [--command /coffee] [--wait 3] <text...>
//
// Reads GATEWAY_URL (default http://127.0.0.1:3000), SLACK_SIGNING_SECRET and
// SLACK_EMULATOR_URL (default http://127.0.0.1:3999) from the environment.
import { createSlackDriver } from './driver';
import { type Names, showMrkdwn } from './terminal-text';
import type { StoredMessage } from './web-api';

function option(args: string[], name: string, fallback: string): string {
  const at = args.indexOf(name);
  if (at === -1) return fallback;
  const value = args[at + 1];
  args.splice(at, 2);
  return value ?? fallback;
}

/** Block Kit to plain lines, enough to read a message in a terminal. */
interface RenderedBlock {
  text?: { text?: string };
  elements?: { type?: string; text?: string | { text?: string }; action_id?: string }[];
  fields?: { text?: string }[];
}

function render(blocks: unknown[]): string[] {
  const lines: string[] = [];
  for (const block of blocks as RenderedBlock[]) {
    if (block.text?.text) lines.push(String(block.text.text));
    for (const element of block.elements ?? []) {
      const label = typeof element.text === 'string' ? element.text : element.text?.text;
      if (element.type === 'button') lines.push(`[ ${label} ] (action ${element.action_id})`);
      else if (label) lines.push(label);
    }
    for (const field of block.fields ?? []) lines.push(String(field.text));
  }
  return lines;
}

const USAGE = `usage: bash scripts/coffee.sh [--channel C0001] [--user U0001] [--command /coffee] [--wait 3] <text...>
  sends /coffee <text> to the local gateway as Slack would (signed, escaped), then prints the
  answer and what the app posted. Examples: "in 20m oat flat whites", "help", "admin".`;

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  if (args.length === 1 && (args[0] === '--help' || args[0] === '-h')) {
    console.log(USAGE);
    return;
  }
  const channelId = option(args, '--channel', 'C0001');
  const userId = option(args, '--user', 'U0001');
  const command = option(args, '--command', '/coffee');
  const waitSeconds = Number(option(args, '--wait', '3'));
  const text = args.join(' ');
  const signingSecret = process.env.SLACK_SIGNING_SECRET;
  if (!signingSecret)
    throw new Error(
      'SLACK_SIGNING_SECRET is not set (bash scripts/coffee.sh loads it from .local/secrets.env)',
    );
  const emulatorUrl = process.env.SLACK_EMULATOR_URL ?? 'http://127.0.0.1:3999';
  const driver = createSlackDriver({
    gatewayUrl: process.env.GATEWAY_URL ?? 'http://127.0.0.1:3000',
    signingSecret,
    emulator: emulatorUrl,
  });
  const since = Date.now() / 1000;
  const gatewayUrl = process.env.GATEWAY_URL ?? 'http://127.0.0.1:3000';
  console.log(`→ ${command} ${text}   (as ${userId} in ${channelId})`);
  const answer = await driver.slashCommand({ command, text, userId, channelId }).catch((error: Error) => {
    throw new Error(
      `the gateway at ${gatewayUrl} did not answer (${error.message}); is the local stack up (bash scripts/run.sh), and GATEWAY_PORT set if you changed it?`,
    );
  });
  const state = (await (await fetch(`${emulatorUrl}/_emulator/state`)).json()) as {
    users: { id: string; name: string }[];
    channels: { id: string; name: string }[];
  };
  const names: Names = {
    users: new Map(state.users.map((u) => [u.id, u.name])),
    channels: new Map(state.channels.map((c) => [c.id, c.name])),
  };
  const body = answer.body as { text?: string } | string;
  console.log(
    `← HTTP ${answer.status} in ${answer.latencyMs.toFixed(0)} ms${typeof body === 'object' && body?.text ? `: ${showMrkdwn(body.text, names)}` : ''}`,
  );
  await new Promise((resolve) => setTimeout(resolve, waitSeconds * 1000));
  const response = await fetch(`${emulatorUrl}/_emulator/messages?channel=${encodeURIComponent(channelId)}`);
  const { messages } = (await response.json()) as { messages: StoredMessage[] };
  const recent = messages.filter((m) => Number(m.ts) >= since - 1 && !m.deleted);
  if (recent.length === 0) {
    const opened = (await (
      await fetch(`${emulatorUrl}/_emulator/calls?method=views.open`)
    )
      .json()
      .catch(() => ({}))) as {
      calls?: { at: number }[];
    };
    const modal = (opened.calls ?? []).some((c) => c.at >= since * 1000);
    console.log(
      modal
        ? '(a modal opened: see it in the browser page)'
        : `(nothing posted in ${channelId} within ${waitSeconds} s)`,
    );
  }
  for (const message of recent) {
    const who = message.ephemeral ? `only visible to ${message.visible_to}` : 'in channel';
    console.log(`\n# ${channelId} — ${message.via}, ${who}, ts ${message.ts}`);
    for (const line of message.blocks.length ? render(message.blocks) : [message.text])
      console.log(`  ${showMrkdwn(line, names)}`);
  }
}

main().catch((error: Error) => {
  console.error(`coffee-cli: ${error.message}`);
  process.exit(1);
});
