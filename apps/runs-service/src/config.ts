import { parseConfig, WorkerConfigProperties } from '@coffeebuddy/service-kit';
import { SlackConfigProperties } from '@coffeebuddy/slack';
import { type Static, Type } from '@sinclair/typebox';

/** Settings of runs-service, validated once at start-up. */
export const RunsConfigSchema = Type.Object({
  ...WorkerConfigProperties,
  ...SlackConfigProperties,
  /** A /coffee older than this many seconds when it reaches runs-service is answered as expired. */
  COMMAND_MAX_AGE_SECONDS: Type.Integer({ minimum: 10, default: 600 }),
});

export type RunsConfig = Static<typeof RunsConfigSchema>;

export const loadRunsConfig = (env: Record<string, string | undefined>): RunsConfig =>
  parseConfig(RunsConfigSchema, env);
