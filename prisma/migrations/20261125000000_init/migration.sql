-- CreateEnum
CREATE TYPE "run_status" AS ENUM ('open', 'closed', 'cancelled');

-- CreateEnum
CREATE TYPE "order_status" AS ENUM ('active', 'cancelled');

-- CreateEnum
CREATE TYPE "order_provenance" AS ENUM ('typed', 'reused_last_order');

-- CreateTable
CREATE TABLE "slack_installations" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "team_id" TEXT,
    "enterprise_id" TEXT,
    "is_enterprise_install" BOOLEAN NOT NULL DEFAULT false,
    "app_id" TEXT,
    "bot_user_id" TEXT,
    "installer_user_id" TEXT,
    "installation_enc" TEXT NOT NULL,
    "installed_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "slack_installations_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "users" (
    "id" TEXT NOT NULL,
    "team_id" TEXT NOT NULL,
    "display_name" TEXT,
    "tz" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "users_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "channels" (
    "id" TEXT NOT NULL,
    "team_id" TEXT NOT NULL,
    "name" TEXT,
    "enabled" BOOLEAN NOT NULL DEFAULT true,
    "reminder_offset_minutes" INTEGER NOT NULL DEFAULT 5,
    "last_call_enabled" BOOLEAN NOT NULL DEFAULT false,
    "fairness_window_days" INTEGER NOT NULL DEFAULT 30,
    "admin_user_ids" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "data_retention_days" INTEGER NOT NULL DEFAULT 90,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "channels_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "runs" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "channel_id" TEXT NOT NULL,
    "team_id" TEXT NOT NULL,
    "status" "run_status" NOT NULL DEFAULT 'open',
    "initiator_id" TEXT NOT NULL,
    "runner_id" TEXT,
    "pickup_at" TIMESTAMPTZ(3),
    "pickup_text" TEXT,
    "note" TEXT,
    "correlation_id" TEXT NOT NULL,
    "message_ts" TEXT,
    "fairness_audit" JSONB,
    "order_snapshot" JSONB,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "closed_at" TIMESTAMPTZ(3),
    "closed_by_id" TEXT,

    CONSTRAINT "runs_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "orders" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "run_id" UUID NOT NULL,
    "user_id" TEXT NOT NULL,
    "text" TEXT NOT NULL,
    "provenance" "order_provenance" NOT NULL DEFAULT 'typed',
    "status" "order_status" NOT NULL DEFAULT 'active',
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "cancelled_at" TIMESTAMPTZ(3),

    CONSTRAINT "orders_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "user_preferences" (
    "user_id" TEXT NOT NULL,
    "channel_id" TEXT NOT NULL,
    "last_order_text" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "user_preferences_pkey" PRIMARY KEY ("user_id","channel_id")
);

-- CreateTable
CREATE TABLE "runner_stats" (
    "channel_id" TEXT NOT NULL,
    "user_id" TEXT NOT NULL,
    "runs_served_count" INTEGER NOT NULL DEFAULT 0,
    "last_run_at" TIMESTAMPTZ(3),
    "opt_in_repeat" BOOLEAN NOT NULL DEFAULT false,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "runner_stats_pkey" PRIMARY KEY ("channel_id","user_id")
);

-- CreateTable
CREATE TABLE "channel_admin_actions" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "channel_id" TEXT NOT NULL,
    "actor_id" TEXT NOT NULL,
    "action" TEXT NOT NULL,
    "before" JSONB,
    "after" JSONB,
    "summary" JSONB,
    "correlation_id" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "channel_admin_actions_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "processed_messages" (
    "consumer_group" TEXT NOT NULL,
    "message_id" TEXT NOT NULL,
    "topic" TEXT NOT NULL,
    "partition" INTEGER NOT NULL,
    "offset" TEXT NOT NULL,
    "processed_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "processed_messages_pkey" PRIMARY KEY ("consumer_group","message_id")
);

-- CreateTable
CREATE TABLE "outbox_events" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "topic" TEXT NOT NULL,
    "key" TEXT NOT NULL,
    "message" JSONB NOT NULL,
    "correlation_id" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "published_at" TIMESTAMPTZ(3),
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "last_error" TEXT,

    CONSTRAINT "outbox_events_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "slack_installations_team_enterprise_key" ON "slack_installations"("team_id", "enterprise_id");

-- CreateIndex
CREATE INDEX "runs_channel_status_idx" ON "runs"("channel_id", "status");

-- CreateIndex
CREATE INDEX "runs_channel_runner_closed_idx" ON "runs"("channel_id", "runner_id", "closed_at");

-- CreateIndex
CREATE INDEX "runs_channel_created_idx" ON "runs"("channel_id", "created_at");

-- CreateIndex
CREATE INDEX "orders_run_user_status_idx" ON "orders"("run_id", "user_id", "status");

-- CreateIndex
CREATE INDEX "user_preferences_channel_idx" ON "user_preferences"("channel_id");

-- CreateIndex
CREATE INDEX "runner_stats_fairness_idx" ON "runner_stats"("channel_id", "runs_served_count", "last_run_at");

-- CreateIndex
CREATE INDEX "channel_admin_actions_channel_created_idx" ON "channel_admin_actions"("channel_id", "created_at");

-- CreateIndex
CREATE INDEX "processed_messages_processed_at_idx" ON "processed_messages"("processed_at");

-- CreateIndex
CREATE INDEX "outbox_events_unpublished_idx" ON "outbox_events"("published_at", "created_at");

-- AddForeignKey
ALTER TABLE "runs" ADD CONSTRAINT "runs_channel_id_fkey" FOREIGN KEY ("channel_id") REFERENCES "channels"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "runs" ADD CONSTRAINT "runs_initiator_id_fkey" FOREIGN KEY ("initiator_id") REFERENCES "users"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "runs" ADD CONSTRAINT "runs_runner_id_fkey" FOREIGN KEY ("runner_id") REFERENCES "users"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "orders" ADD CONSTRAINT "orders_run_id_fkey" FOREIGN KEY ("run_id") REFERENCES "runs"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "orders" ADD CONSTRAINT "orders_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "user_preferences" ADD CONSTRAINT "user_preferences_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "user_preferences" ADD CONSTRAINT "user_preferences_channel_id_fkey" FOREIGN KEY ("channel_id") REFERENCES "channels"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "runner_stats" ADD CONSTRAINT "runner_stats_channel_id_fkey" FOREIGN KEY ("channel_id") REFERENCES "channels"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "runner_stats" ADD CONSTRAINT "runner_stats_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "channel_admin_actions" ADD CONSTRAINT "channel_admin_actions_channel_id_fkey" FOREIGN KEY ("channel_id") REFERENCES "channels"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- Rules Prisma's schema language cannot express (written by hand; checked by the schema test).

-- At most one open run per channel.
CREATE UNIQUE INDEX "runs_one_open_per_channel" ON "runs"("channel_id") WHERE "status" = 'open';

-- At most one active order per user per run.
CREATE UNIQUE INDEX "orders_one_active_per_user" ON "orders"("run_id", "user_id") WHERE "status" = 'active';

-- Channel settings stay within the bounds the admin modal enforces.
ALTER TABLE "channels" ADD CONSTRAINT "channels_data_retention_days_check" CHECK ("data_retention_days" BETWEEN 1 AND 3650);
ALTER TABLE "channels" ADD CONSTRAINT "channels_reminder_offset_minutes_check" CHECK ("reminder_offset_minutes" BETWEEN 1 AND 120);
ALTER TABLE "channels" ADD CONSTRAINT "channels_fairness_window_days_check" CHECK ("fairness_window_days" BETWEEN 1 AND 365);
ALTER TABLE "runner_stats" ADD CONSTRAINT "runner_stats_runs_served_count_check" CHECK ("runs_served_count" >= 0);
