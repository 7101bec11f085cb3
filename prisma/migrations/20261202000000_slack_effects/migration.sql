-- Slack effects (DESIGN §9): every Slack call that follows a state change is a row written in
-- the same transaction as the change, claimed by a deliverer (pending -> sending with a lease),
-- sent, and its outcome recorded. `key` names the cause, so a cause can never make two.

-- CreateEnum
CREATE TYPE "slack_effect_status" AS ENUM ('pending', 'sending', 'sent', 'failed', 'cancelled');

-- CreateTable
CREATE TABLE "slack_effects" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "kind" TEXT NOT NULL,
    "key" TEXT NOT NULL,
    "team_id" TEXT NOT NULL,
    "channel_id" TEXT,
    "user_id" TEXT,
    "run_id" UUID,
    "payload" JSONB NOT NULL DEFAULT '{}',
    "correlation_id" TEXT NOT NULL,
    "status" "slack_effect_status" NOT NULL DEFAULT 'pending',
    "generation" INTEGER NOT NULL DEFAULT 1,
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "requested_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "due_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "deadline_at" TIMESTAMPTZ(3) NOT NULL,
    "lease_until" TIMESTAMPTZ(3),
    "claimed_by" TEXT,
    "outcome_unknown" BOOLEAN NOT NULL DEFAULT false,
    "last_error" TEXT,
    "slack_channel" TEXT,
    "slack_ts" TEXT,
    "result" JSONB,
    "sent_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "slack_effects_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "slack_effects_key_key" ON "slack_effects"("key");
CREATE INDEX "slack_effects_status_due_idx" ON "slack_effects"("status", "due_at");
CREATE INDEX "slack_effects_run_idx" ON "slack_effects"("run_id");

-- AddForeignKey
ALTER TABLE "slack_effects" ADD CONSTRAINT "slack_effects_run_id_fkey" FOREIGN KEY ("run_id") REFERENCES "runs"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- A runner who could not be sent their DM: the summary says so.
ALTER TABLE "runs" ADD COLUMN "runner_dm_error" TEXT;
