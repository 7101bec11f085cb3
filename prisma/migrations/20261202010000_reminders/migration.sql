-- Reminders (REQ-004). A run's reminders are versioned: every change to its pickup time, runner
-- or the channel's reminder settings bumps the version, and the reminder-worker ignores
-- schedules older than the newest it has. A channel can turn its reminders off.

-- AlterTable
ALTER TABLE "runs" ADD COLUMN "reminder_version" INTEGER NOT NULL DEFAULT 0;

-- AlterTable
ALTER TABLE "channels" ADD COLUMN "reminders_enabled" BOOLEAN NOT NULL DEFAULT true;
