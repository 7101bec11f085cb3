import fs from 'node:fs';
import { WebClient } from '@slack/web-api';
import type { Locator, Page } from 'playwright-core';
import { artifactsDir, type Browser, launchBrowser } from '../src/browser';
import { type Stack, startStack } from '../src/stack';

/**
 * The emulator's workspace page in headless Chromium, in front of the real gateway, runs-service
 * and orders-service: every step is a person clicking or typing, and every request the app gets
 * is the signed one Slack would send. A screenshot of each step is kept in
 * .local/test-artifacts/workspace-page/.
 */

let stack: Stack;
let browser: Browser & { errors: string[] };
let page: Page;
const artifacts = artifactsDir('workspace-page');

/** Long enough for a cold consumer's first message; conditions are polled, never slept on. */
const STEP_MS = 20_000;

beforeAll(async () => {
  stack = await startStack({ page: true });
  browser = await launchBrowser(artifacts);
  page = browser.page;
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await stack?.stop();
});

afterEach(() => {
  expect(browser.errors).toEqual([]);
});

const messages = () => page.getByRole('list', { name: /^Messages (in|with)/ });
const messageWith = (text: string | RegExp) => messages().getByRole('listitem').filter({ hasText: text });
const dialog = () => page.getByRole('dialog');

async function visible(locator: Locator): Promise<Locator> {
  await locator.first().waitFor({ state: 'visible', timeout: STEP_MS });
  return locator;
}

async function gone(locator: Locator): Promise<void> {
  await locator.first().waitFor({ state: 'detached', timeout: STEP_MS });
}

async function viewAs(userId: string): Promise<void> {
  await page.getByLabel('Viewing as').selectOption(userId);
}

async function type(text: string, conversation = '#coffee'): Promise<void> {
  const box = page.getByRole('textbox', { name: `Message ${conversation}` });
  await box.fill(text);
  await box.press('Enter');
}

describe('the workspace page', () => {
  it('runs a whole coffee run by clicking: /coffee, the order modal, last order, close, summary, DM and App Home', async () => {
    await page.goto(`${stack.emulator.baseUrl}/?as=U0001#C0001`);
    await visible(page.getByRole('status').filter({ hasText: 'Live' }));

    // U0001 starts a run from the composer: a signed slash command to the gateway.
    await type('/coffee in 30m test run');
    const run = await visible(messageWith('☕ Coffee run'));
    await visible(run.getByText('test run'));
    await visible(run.getByText('0 people'));
    await browser.screenshot('u0001-coffee-command');

    // U0002 opens the order modal (block_actions → views.open), and submits it empty:
    // Slack's client refuses an empty required field before anything is sent.
    await viewAs('U0002');
    await run.getByRole('button', { name: 'Place order' }).click();
    const modal = await visible(dialog().filter({ hasText: 'What would you like?' }));
    await modal.getByRole('button', { name: 'Place order' }).click();
    await visible(modal.getByRole('alert').filter({ hasText: 'Please complete this required field.' }));
    await browser.screenshot('u0002-empty-order-refused');

    // Blank text reaches the app (a signed view_submission) and its field error comes back.
    const order = modal.getByRole('textbox', { name: 'What would you like?' });
    await order.fill('   ');
    await modal.getByRole('button', { name: 'Place order' }).click();
    await visible(modal.getByRole('alert').filter({ hasText: 'Please say what you would like.' }));
    await browser.screenshot('u0002-blank-order-field-error');

    await order.fill('flat white');
    await modal.getByRole('button', { name: 'Place order' }).click();
    await gone(dialog());
    // chat.update reaches the page without a reload.
    await visible(run.getByText('1 person'));
    await visible(run.getByText(/@grace: flat white/));
    await browser.screenshot('u0002-flat-white-ordered');

    // U0003 has no last order in #coffee: the app explains, to U0003 only.
    await viewAs('U0003');
    await run.getByRole('button', { name: 'Use my last order' }).click();
    const explanation = await visible(messageWith("there's no last order to reuse"));
    await visible(explanation.getByText('Only visible to you'));
    await browser.screenshot('u0003-no-last-order');

    // U0001 closes the run after Slack's confirmation dialog.
    await viewAs('U0001');
    expect(await messageWith("there's no last order to reuse").count()).toBe(0);
    await run.getByRole('button', { name: 'Close run' }).click();
    const confirm = await visible(page.getByRole('alertdialog', { name: 'Close this run?' }));
    await browser.screenshot('u0001-confirm-close');
    await confirm.getByRole('button', { name: 'Close run' }).click();
    const summary = await visible(messageWith('☕ Coffee run closed'));
    await visible(summary.getByText(/Runner:\s*@grace/));
    await visible(summary.getByText(/1\. @grace: flat white/));
    await visible(page.getByRole('heading', { name: '☕ Coffee run (closed)' }));
    await browser.screenshot('u0001-summary');

    // The runner's DM and App Home, as U0002 sees them.
    await viewAs('U0002');
    await page
      .getByRole('navigation', { name: 'Conversations' })
      .getByRole('button', { name: 'CoffeeBuddy' })
      .click();
    const home = await visible(page.getByRole('region', { name: 'CoffeeBuddy Home' }));
    await visible(home.getByText(/#coffee: 1 run served · last order: flat white/));
    await browser.screenshot('u0002-app-home');
    await page.getByRole('tab', { name: 'Messages' }).click();
    const dm = await visible(messageWith("You're on coffee duty"));
    await visible(dm.getByText(/1\. @grace: flat white/));
    await visible(dm.getByText(/Drinks:\s*1/));
    await browser.screenshot('u0002-runner-dm');

    const saved = fs.readdirSync(artifacts).filter((f) => f.endsWith('.png'));
    expect(saved).toHaveLength(9);
  }, 180_000);

  it('shows posts, updates, deletes, views.update and views.publish live, and what the Web API did', async () => {
    const slack = new WebClient(stack.botToken, {
      slackApiUrl: stack.emulator.apiUrl,
      retryConfig: { retries: 0 },
    });
    await page.goto(`${stack.emulator.baseUrl}/?as=U0004#C0002`);
    await visible(page.getByRole('status').filter({ hasText: 'Live' }));

    const posted = await slack.chat.postMessage({ channel: 'C0002', text: 'hello *world*' });
    const hello = await visible(messageWith('hello world'));
    await visible(hello.getByText('world', { exact: true }));
    await slack.chat.update({ channel: 'C0002', ts: String(posted.ts), text: 'hello again' });
    await visible(messageWith('hello again').getByText('(edited)'));
    await slack.chat.delete({ channel: 'C0002', ts: String(posted.ts) });
    await gone(messageWith('hello again'));

    // Opening the Home tab makes the app publish one (app_home_opened); a later publish replaces it live.
    await page
      .getByRole('navigation', { name: 'Conversations' })
      .getByRole('button', { name: 'CoffeeBuddy' })
      .click();
    const home = page.getByRole('region', { name: 'CoffeeBuddy Home' });
    await visible(home);
    await slack.views.publish({
      user_id: 'U0004',
      view: {
        type: 'home',
        blocks: [{ type: 'section', text: { type: 'mrkdwn', text: 'Home for <@U0004>' } }],
      },
    });
    await visible(home.getByText('@katherine'));
    expect(await home.textContent()).toBe('Home for @katherine');

    // A modal opened with a trigger, then changed with views.update while it is open.
    const trigger = stack.emulator.issueTrigger({ userId: 'U0004' });
    const opened = await slack.views.open({
      trigger_id: trigger,
      view: {
        type: 'modal',
        title: { type: 'plain_text', text: 'First' },
        blocks: [{ type: 'section', text: { type: 'plain_text', text: 'before' } }],
      },
    });
    await visible(dialog().filter({ hasText: 'before' }));
    await slack.views.update({
      view_id: String(opened.view?.id),
      view: {
        type: 'modal',
        title: { type: 'plain_text', text: 'Second' },
        blocks: [{ type: 'section', text: { type: 'plain_text', text: 'after' } }],
      },
    });
    await visible(page.getByRole('dialog', { name: 'Second' }).getByText('after'));
    await page.getByRole('dialog', { name: 'Second' }).getByRole('button', { name: 'Cancel' }).click();
    await gone(dialog());
    expect(stack.emulator.modalStack('U0004')).toEqual([]);

    // The developer panel: an injected failure and the calls it affected.
    const panel = page.getByRole('complementary', { name: 'Developer panel' });
    await panel.getByLabel('Method').selectOption('chat.postMessage');
    await panel.getByLabel('Error code').fill('channel_not_found');
    await panel.getByRole('button', { name: 'Fail next call' }).click();
    await visible(panel.getByText(/queued: chat\.postMessage ×1 \(channel_not_found\)/));
    await expect(slack.chat.postMessage({ channel: 'C0002', text: 'refused' })).rejects.toThrow(
      'channel_not_found',
    );
    await visible(panel.getByText('no failures queued'));
    const failed = await visible(
      panel
        .getByRole('region', { name: 'Web API calls' })
        .getByRole('listitem')
        .filter({ hasText: 'channel_not_found' }),
    );
    await visible(failed.getByText(/^chat\.postMessage$/));
    await visible(failed.getByText(/\d+(\.\d+)? ms/));
    await browser.screenshot('developer-panel');
  }, 120_000);
});
