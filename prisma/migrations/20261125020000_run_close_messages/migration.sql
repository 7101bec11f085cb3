-- Closing a run posts a channel summary and DMs the runner after the close transaction; their ts
-- record that each happened, so a redelivered close finishes what is missing and repeats nothing.

-- AlterTable
ALTER TABLE "runs" ADD COLUMN "summary_ts" TEXT,
ADD COLUMN "runner_dm_ts" TEXT;
