import {
  type ChannelSettings,
  createMessage,
  type DeliveryContext,
  diffChannelSettings,
  type HandlerOutcome,
  type MessageOf,
  mergeChannelSettings,
  settingsForm,
  TOPICS,
  validateChannelSettings,
} from '@coffeebuddy/contracts';
import { processMessageOnce, type Tx } from '@coffeebuddy/db';
import { enqueueOutbox } from '@coffeebuddy/service-kit';
import {
  adminFormFromValues,
  buildAdminModal,
  parseAdminViewMetadata,
  requestTell,
} from '@coffeebuddy/slack';
import { refusalText } from '../domain/authority';
import { auditAction, auditDiff, savedText, settingsOf } from '../domain/settings';
import { type AdminDeps, answer, checkAuthority, isDeadTrigger, slackErrorCode } from './common';

/**
 * `/coffee admin`: the role gate, then the settings modal, opened with the command's trigger
 * (3 s, once). A person who may not administer the channel is told why and nothing is written.
 */
export async function openSettings(
  deps: AdminDeps,
  message: MessageOf<'slash_command'>,
  context: DeliveryContext,
): Promise<HandlerOutcome> {
  const { teamId, channelId } = message;
  const userId = message.userId ?? '';
  const { responseUrl, triggerId } = message.payload;
  const channel = await deps.db.channel.findUnique({ where: { id: channelId } });
  const channelAdmins = channel?.adminUserIds ?? [];
  const authority = await checkAuthority(deps, { teamId, userId, channelAdmins }, context);
  if (!authority.allowed) {
    context.logger.info({ channelId }, '/coffee admin refused: not a workspace or channel admin');
    await answer(deps, responseUrl, refusalText(channelId, channelAdmins), context);
    return { duplicate: false };
  }
  const channelName = message.payload.channelName ?? channel?.name ?? '';
  try {
    await deps.slack.openView(
      teamId,
      triggerId,
      buildAdminModal({ channelId, channelName, responseUrl, settings: settingsOf(channel) }),
    );
    context.logger.info({ channelId, as: authority.as }, 'admin modal opened');
  } catch (error) {
    if (!isDeadTrigger(slackErrorCode(error))) throw error;
    context.logger.warn(
      { code: slackErrorCode(error) },
      'the trigger expired before the admin modal could open',
    );
    await answer(
      deps,
      responseUrl,
      'Sorry, that took too long to open — please run `/coffee admin` again.',
      context,
    );
  }
  return { duplicate: false };
}

/** The settings as a `channels` row's columns. */
const columnsOf = (settings: ChannelSettings) => ({
  enabled: settings.enabled,
  remindersEnabled: settings.remindersEnabled,
  lastCallEnabled: settings.lastCallEnabled,
  reminderOffsetMinutes: settings.reminderOffsetMinutes,
  fairnessWindowDays: settings.fairnessWindowDays,
  dataRetentionDays: settings.dataRetentionDays,
  adminUserIds: settings.adminUserIds,
  timezone: settings.timezone,
});

/** The channel's row, created with the defaults when it has none, locked for this transaction. */
export async function lockChannel(tx: Tx, teamId: string, channelId: string, name: string) {
  await tx.channel.upsert({
    where: { id: channelId },
    create: { id: channelId, teamId, ...(name ? { name } : {}) },
    update: name ? { name } : {},
  });
  await tx.$queryRaw`SELECT id FROM channels WHERE id = ${channelId} FOR UPDATE`;
  return tx.channel.findUniqueOrThrow({ where: { id: channelId } });
}

/**
 * The settings modal was submitted (validated by the gateway; validated again here, and the
 * submitter's authority checked again, since either may have changed). One transaction with the
 * processed-message record: the `channels` row, a `channel_admin_actions` row with the before →
 * after of each changed field, `admin_config_changed` through the outbox (runs-service cancels
 * an open run of a channel turned off and schedules reminders again), and the admin's
 * confirmation listing what changed.
 */
export async function saveSettings(
  deps: AdminDeps,
  message: MessageOf<'view_submission'>,
  context: DeliveryContext,
): Promise<HandlerOutcome> {
  const metadata = parseAdminViewMetadata(message.payload.privateMetadata);
  const userId = message.userId ?? '';
  if (!metadata || metadata.channelId !== message.channelId) {
    context.logger.warn('admin settings submission without our metadata; ignored');
    return { duplicate: false };
  }
  const { teamId, channelId } = message;
  const notify = {
    userId,
    channelId,
    ...(metadata.responseUrl ? { responseUrl: metadata.responseUrl } : {}),
  };
  const checked = validateChannelSettings(adminFormFromValues(message.payload.values));
  const current = await deps.db.channel.findUnique({ where: { id: channelId } });
  const authority = await checkAuthority(
    deps,
    { teamId, userId, channelAdmins: current?.adminUserIds ?? [] },
    context,
  );
  if (!authority.allowed || !checked.ok) {
    const text =
      authority.allowed && 'errors' in checked
        ? `Those settings were not saved: ${Object.values(checked.errors).join(' ')}`
        : refusalText(channelId, current?.adminUserIds ?? []);
    context.logger.warn({ allowed: authority.allowed, valid: checked.ok }, 'admin settings refused');
    await answer(deps, metadata.responseUrl, text, context);
    return { duplicate: false };
  }
  const processed = await processMessageOnce(
    deps.db,
    { ...context, messageId: message.messageId },
    async (tx) => {
      const row = await lockChannel(tx, teamId, channelId, metadata.channelName);
      const before = settingsOf(row);
      // Only what this admin changed from what their modal showed: another admin's save since
      // then stays (a modal without what it showed replaces everything, as before).
      const after = metadata.shown
        ? mergeChannelSettings(before, metadata.shown, checked.settings)
        : checked.settings;
      const merged = validateChannelSettings(settingsForm(after));
      if (!merged.ok) {
        return {
          changed: [],
          told: await requestTell(tx, {
            key: `admin:${message.messageId}:conflict`,
            teamId,
            notify,
            text: `Those settings were not saved: someone changed the settings meanwhile, and together with yours ${Object.values(merged.errors).join(' ')} Run \`/coffee admin\` again to see them.`,
            correlationId: message.correlationId,
          }),
        };
      }
      const changes = diffChannelSettings(before, after);
      if (changes.length > 0) {
        await tx.channel.update({ where: { id: channelId }, data: columnsOf(after) });
        await tx.channelAdminAction.create({
          data: {
            channelId,
            actorId: userId,
            action: auditAction(before, after),
            ...(auditDiff(changes) as { before: object; after: object }),
            correlationId: message.correlationId,
          },
        });
        await enqueueOutbox(
          tx,
          'admin-service',
          TOPICS.adminEvents,
          createMessage(
            'admin_config_changed',
            { correlationId: message.correlationId, teamId, channelId, userId },
            { channelId, actorId: userId, before, after },
          ),
        );
      }
      const told = await requestTell(tx, {
        key: `admin:${message.messageId}:saved`,
        teamId,
        notify,
        text: savedText(channelId, before, after),
        correlationId: message.correlationId,
      });
      return { changed: changes.map((c) => c.field), told };
    },
  );
  if (processed.duplicate) return processed;
  deps.wakeOutbox();
  context.logger.info(
    { channelId, changed: processed.result.changed, as: authority.as },
    'channel settings saved',
  );
  await deps.effects.deliver([processed.result.told]);
  return processed;
}
