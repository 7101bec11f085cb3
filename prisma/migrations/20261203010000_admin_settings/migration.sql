-- Channel administration and personal settings (admin-service, REQ-005/006).

-- A channel's timezone: pickup times of people whose Slack profile has none are read in it, and
-- reminders and summaries show times in it where Slack needs a fallback. NULL means UTC.
ALTER TABLE "channels" ADD COLUMN "timezone" TEXT;

-- A person away until (and including) this date is never picked as runner; they can still order.
ALTER TABLE "users" ADD COLUMN "away_until" DATE;

-- The retention sweep finds ended runs by when they ended, preferences by when they were last
-- used, and finished Slack effects by when they finished.
CREATE INDEX "runs_closed_at_idx" ON "runs"("closed_at");
CREATE INDEX "user_preferences_updated_at_idx" ON "user_preferences"("updated_at");
CREATE INDEX "slack_effects_updated_at_idx" ON "slack_effects"("updated_at");
