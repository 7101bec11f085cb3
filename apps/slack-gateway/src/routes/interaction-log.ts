import { randomUUID } from 'node:crypto';
import { lazyChild } from '@coffeebuddy/service-kit';
import type { GatewayContext } from '../gateway-context';

/**
 * A new correlation ID for an interaction, its team, and a logger carrying both with the user
 * and the interaction type (every log line about the request has them).
 */
export function logFor(
  context: GatewayContext,
  payload: { type: string; team?: { id?: string }; user: { id: string; team_id?: string } },
) {
  const correlationId = randomUUID();
  const teamId = payload.team?.id ?? payload.user.team_id ?? '';
  const log = lazyChild(context.logger, {
    correlationId,
    teamId,
    userId: payload.user.id,
    interaction: payload.type,
  });
  return { correlationId, teamId, log };
}
