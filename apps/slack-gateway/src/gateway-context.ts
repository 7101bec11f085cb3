import type { MessageProducer } from '@coffeebuddy/contracts';
import type { InstallProvider } from '@slack/oauth';
import type { Logger } from 'pino';
import type { GatewayConfig } from './config';
import type {
  AbandonCommand,
  ChannelEnabledLookup,
  ChannelZoneLookup,
  RunStatusLookup,
  UserZoneLookup,
} from './lookups';

/** What every route plugin is given: configuration, the producer, the lookups and a clock. */
export interface GatewayContext {
  config: GatewayConfig;
  logger: Logger;
  producer: MessageProducer;
  userZone: UserZoneLookup;
  channelEnabled: ChannelEnabledLookup;
  channelZone: ChannelZoneLookup;
  runStatus: RunStatusLookup;
  abandonCommand: AbandonCommand;
  /** Told when a `/coffee admin` change for a channel is passed on (see `channelSnapshot`). */
  channelChanged: (channelId: string) => void;
  now: () => Date;
  /** Present when SLACK_CLIENT_ID/SECRET/STATE_SECRET are configured. */
  installer?: InstallProvider;
}

/** How a Slack request ended, for `coffeebuddy_gateway_requests_total{outcome}`. */
export type Outcome =
  | 'published'
  | 'answered'
  | 'invalid_input'
  | 'disabled'
  | 'run_closed'
  | 'publish_failed'
  | 'rejected'
  | 'ignored';

/** The Slack routes, for metric labels. */
export type SlackRoute = 'commands' | 'interactions' | 'events';
