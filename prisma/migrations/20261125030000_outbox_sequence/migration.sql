-- The outbox relay publishes in insertion order. created_at comes from each service's clock
-- (millisecond precision, ties), so events get a sequence number instead.

-- AlterTable
ALTER TABLE "outbox_events" ADD COLUMN "seq" BIGSERIAL NOT NULL;

-- DropIndex
DROP INDEX "outbox_events_unpublished_idx";

-- CreateIndex
CREATE INDEX "outbox_events_unpublished_idx" ON "outbox_events"("published_at", "seq");
