import {
  createMessage,
  type DeliveryContext,
  type HandlerOutcome,
  isUuid,
  type MessageOf,
  orderTextIssue,
  TOPICS,
} from '@coffeebuddy/contracts';
import { type Db, processMessageOnce, type Tx } from '@coffeebuddy/db';
import { enqueueOutbox } from '@coffeebuddy/service-kit';
import {
  buildOrderModal,
  type EffectDeliverer,
  type Notify,
  ORDER_MODAL,
  parseOrderModalMetadata,
  requestRunMessageUpdate,
  type SlackActions,
} from '@coffeebuddy/slack';

export interface OrderDeps {
  db: Db;
  slack: SlackActions;
  effects: Pick<EffectDeliverer, 'deliver'>;
  wakeOutbox: () => void;
}

type Provenance = 'typed' | 'reused_last_order';

const GONE_TEXT = 'That coffee run no longer exists.';

/**
 * Who clicked which run's button, and where to answer them; null (after telling them) when the
 * button does not name a run ID at all.
 */
async function clickedRun(deps: OrderDeps, message: MessageOf<'block_action'>, context: DeliveryContext) {
  const userId = message.userId ?? '';
  const target = {
    responseUrl: message.payload.responseUrl,
    teamId: message.teamId,
    channelId: message.channelId,
    userId,
  };
  const runId = message.payload.value ?? '';
  if (!isUuid(runId)) {
    await tell(deps, target, GONE_TEXT, context);
    return null;
  }
  return { runId, userId, target };
}

/** Where to reach the person who clicked, for the run-message effect's rules. */
function notifyOf(target: { responseUrl?: string | undefined; channelId: string; userId: string }): Notify {
  return {
    userId: target.userId,
    channelId: target.channelId,
    ...(target.responseUrl ? { responseUrl: target.responseUrl } : {}),
  };
}

const CLOSED_TEXT = 'This coffee run is closed — ordering has ended. Start a new one with `/coffee`.';

/**
 * Says something that follows no change (a refusal, an explanation) to the person only; failing
 * to say it is logged and never undoes or redoes the work.
 */
async function tell(
  deps: OrderDeps,
  target: { responseUrl?: string | undefined; teamId: string; channelId: string; userId: string },
  text: string,
  context: DeliveryContext,
): Promise<void> {
  try {
    if (target.responseUrl) await deps.slack.respond(target.responseUrl, text);
    else await deps.slack.postEphemeral(target.teamId, target.channelId, target.userId, text);
  } catch (error) {
    context.logger.warn({ err: (error as Error).message }, 'could not tell the person');
  }
}

/**
 * Locks the run row for the rest of the transaction and says whether it is still open. Closing
 * takes the same lock, so an order and a close on one run are ordered by the database: the order
 * either lands before the close (and is in the snapshot) or sees the run closed.
 */
async function lockOpenRun(tx: Tx, runId: string): Promise<{ channelId: string; teamId: string } | null> {
  const rows = await tx.$queryRaw<{ status: string; channel_id: string; team_id: string }[]>`
    SELECT status, channel_id, team_id FROM runs WHERE id = ${runId}::uuid FOR UPDATE`;
  const run = rows[0];
  return run?.status === 'open' ? { channelId: run.channel_id, teamId: run.team_id } : null;
}

/**
 * The person's one active order for the run, inserted or replaced. The partial unique index
 * (one active order per user per run) is the conflict target, so even concurrent submissions
 * cannot leave two.
 */
async function upsertOrder(tx: Tx, runId: string, userId: string, text: string, provenance: Provenance) {
  const rows = await tx.$queryRaw<{ id: string; inserted: boolean }[]>`
    INSERT INTO orders (run_id, user_id, text, provenance)
    VALUES (${runId}::uuid, ${userId}, ${text}, ${provenance}::order_provenance)
    ON CONFLICT (run_id, user_id) WHERE status = 'active'
    DO UPDATE SET text = EXCLUDED.text, provenance = EXCLUDED.provenance, updated_at = now()
    RETURNING id, (xmax = 0) AS inserted`;
  return rows[0] as { id: string; inserted: boolean };
}

type PlaceOutcome = { kind: 'placed'; orderId: string; effectId: string } | { kind: 'closed' };

/**
 * Places or replaces an order, with its event and the run-message update it implies, in one
 * transaction with the processed record.
 */
async function placeOrder(
  deps: OrderDeps,
  message: MessageOf<'block_action' | 'view_submission'>,
  context: DeliveryContext,
  order: { runId: string; text: string; provenance: Provenance },
  notify: Notify,
) {
  const userId = message.userId ?? '';
  const processed = await processMessageOnce(
    deps.db,
    { ...context, messageId: message.messageId },
    async (tx): Promise<PlaceOutcome> => {
      const run = await lockOpenRun(tx, order.runId);
      if (!run) return { kind: 'closed' };
      // INSERT … ON CONFLICT DO NOTHING (Prisma's upsert with nothing to update reads twice more).
      await tx.user.createMany({ data: [{ id: userId, teamId: message.teamId }], skipDuplicates: true });
      const saved = await upsertOrder(tx, order.runId, userId, order.text, order.provenance);
      // A typed order becomes the person's last order in this channel ("Use my last order").
      if (order.provenance === 'typed') {
        await tx.userPreference.upsert({
          where: { userId_channelId: { userId, channelId: run.channelId } },
          create: { userId, channelId: run.channelId, lastOrderText: order.text },
          update: { lastOrderText: order.text },
        });
      } else {
        // Reusing it is using it: the retention sweep keeps preferences used within the window.
        await tx.userPreference.updateMany({
          where: { userId, channelId: run.channelId },
          data: { updatedAt: new Date() },
        });
      }
      const payload = {
        runId: order.runId,
        orderId: saved.id,
        userId,
        text: order.text,
        provenance: order.provenance,
      };
      const ctx = {
        correlationId: message.correlationId,
        teamId: message.teamId,
        channelId: run.channelId,
        userId,
      };
      await enqueueOutbox(
        tx,
        'orders-service',
        TOPICS.runEvents,
        saved.inserted
          ? createMessage('order_placed', ctx, payload)
          : createMessage('order_updated', ctx, payload),
      );
      const effectId = await requestRunMessageUpdate(
        tx,
        { id: order.runId, teamId: run.teamId, channelId: run.channelId },
        { correlationId: message.correlationId, notify },
      );
      return { kind: 'placed', orderId: saved.id, effectId };
    },
  );
  return processed;
}

/** After a committed change: its event goes out now, and the run message shows it. */
async function afterChange(deps: OrderDeps, runId: string, effectId: string, context: DeliveryContext) {
  deps.wakeOutbox();
  await deps.effects.deliver([effectId]);
  context.logger.info({ runId }, 'order change recorded');
}

/** "Place order": opens the modal (prefilled with the current order) well inside the trigger's 3 s. */
export async function openOrderModal(
  deps: OrderDeps,
  message: MessageOf<'block_action'>,
  context: DeliveryContext,
): Promise<HandlerOutcome> {
  const click = await clickedRun(deps, message, context);
  if (!click) return { duplicate: false };
  const { runId, userId, target } = click;
  // Nothing is written here, so no processed-message record: Slack itself refuses a second use
  // of a trigger (exchanged_trigger_id), and a transient failure is retried while it lives.
  const run = await deps.db.run.findUnique({
    where: { id: runId },
    select: { status: true, channelId: true },
  });
  const current =
    (await deps.db.order.findFirst({ where: { runId, userId, status: 'active' }, select: { text: true } }))
      ?.text ?? null;
  if (run?.status !== 'open') {
    await tell(deps, target, run ? CLOSED_TEXT : GONE_TEXT, context);
    return { duplicate: false };
  }
  try {
    await deps.slack.openView(
      message.teamId,
      message.payload.triggerId,
      buildOrderModal({ runId, channelId: run.channelId, currentOrder: current }),
    );
    context.logger.info({ runId, editing: current !== null }, 'order modal opened');
  } catch (error) {
    const code = (error as { data?: { error?: string } }).data?.error;
    if (code !== 'expired_trigger_id' && code !== 'exchanged_trigger_id' && code !== 'invalid_trigger_id')
      throw error;
    context.logger.warn({ code }, 'the trigger expired before the modal could open');
    await tell(
      deps,
      target,
      'Sorry, that took too long to open — please click *Place order* again.',
      context,
    );
  }
  return { duplicate: false };
}

/** The modal was submitted (already validated by the gateway; checked again here). */
export async function submitOrder(
  deps: OrderDeps,
  message: MessageOf<'view_submission'>,
  context: DeliveryContext,
): Promise<HandlerOutcome> {
  const metadata = parseOrderModalMetadata(message.payload.privateMetadata);
  const text = (message.payload.values[`${ORDER_MODAL.blockId}.${ORDER_MODAL.actionId}`] ?? '').trim();
  const userId = message.userId ?? '';
  if (!metadata || !isUuid(metadata.runId) || orderTextIssue(text)) {
    // The gateway refuses these; reaching here means a writer skipped it. Nothing to do but say so.
    context.logger.warn(
      { metadata: Boolean(metadata) },
      'order submission without a valid run or text; ignored',
    );
    return { duplicate: false };
  }
  const target = { teamId: message.teamId, channelId: metadata.channelId, userId };
  const processed = await placeOrder(
    deps,
    message,
    context,
    { runId: metadata.runId, text, provenance: 'typed' },
    { userId, channelId: metadata.channelId },
  );
  if (processed.duplicate) return processed;
  if (processed.result.kind === 'closed') await tell(deps, target, CLOSED_TEXT, context);
  else await afterChange(deps, metadata.runId, processed.result.effectId, context);
  return processed;
}

/** "Use my last order": the person's stored order for this channel, in one click. */
export async function reuseLastOrder(
  deps: OrderDeps,
  message: MessageOf<'block_action'>,
  context: DeliveryContext,
): Promise<HandlerOutcome> {
  const click = await clickedRun(deps, message, context);
  if (!click) return { duplicate: false };
  const { runId, userId, target } = click;
  const preference = await deps.db.userPreference.findUnique({
    where: { userId_channelId: { userId, channelId: message.channelId } },
  });
  if (!preference) {
    await tell(
      deps,
      target,
      "You haven't ordered in this channel yet, so there's no last order to reuse. Use *Place order* — I'll remember it for next time.",
      context,
    );
    return { duplicate: false };
  }
  const processed = await placeOrder(
    deps,
    message,
    context,
    { runId, text: preference.lastOrderText, provenance: 'reused_last_order' },
    notifyOf(target),
  );
  if (processed.duplicate) return processed;
  if (processed.result.kind === 'closed') await tell(deps, target, CLOSED_TEXT, context);
  else await afterChange(deps, runId, processed.result.effectId, context);
  return processed;
}

/** "Cancel my order". */
export async function cancelOrder(
  deps: OrderDeps,
  message: MessageOf<'block_action'>,
  context: DeliveryContext,
): Promise<HandlerOutcome> {
  const click = await clickedRun(deps, message, context);
  if (!click) return { duplicate: false };
  const { runId, userId, target } = click;
  const processed = await processMessageOnce(
    deps.db,
    { ...context, messageId: message.messageId },
    async (tx) => {
      const run = await lockOpenRun(tx, runId);
      if (!run) return 'closed' as const;
      const cancelled = await tx.order.updateManyAndReturn({
        where: { runId, userId, status: 'active' },
        data: { status: 'cancelled', cancelledAt: new Date() },
        select: { id: true },
      });
      const order = cancelled[0];
      if (!order) return 'nothing' as const;
      await enqueueOutbox(
        tx,
        'orders-service',
        TOPICS.runEvents,
        createMessage(
          'order_cancelled',
          { correlationId: message.correlationId, teamId: message.teamId, channelId: run.channelId, userId },
          { runId, orderId: order.id, userId },
        ),
      );
      const effectId = await requestRunMessageUpdate(
        tx,
        { id: runId, teamId: run.teamId, channelId: run.channelId },
        { correlationId: message.correlationId, notify: notifyOf(target) },
      );
      return { kind: 'cancelled' as const, effectId };
    },
  );
  if (processed.duplicate) return processed;
  const result = processed.result;
  if (result === 'closed') await tell(deps, target, CLOSED_TEXT, context);
  else if (result === 'nothing')
    await tell(deps, target, 'You have no order in this run to cancel.', context);
  else await afterChange(deps, runId, result.effectId, context);
  return processed;
}
