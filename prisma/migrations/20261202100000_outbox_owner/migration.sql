-- Each service's Kafka principal may write only its own topics (packages/contracts ACL.md), so an
-- outbox event is published by the relay of the service that wrote it. Every event written
-- before this migration came from runs-service or orders-service and went to the run events
-- topic, which runs-service may write: its relay publishes whatever of them is still pending.

-- AlterTable
ALTER TABLE "outbox_events" ADD COLUMN "owner" TEXT NOT NULL DEFAULT 'runs-service';
ALTER TABLE "outbox_events" ALTER COLUMN "owner" DROP DEFAULT;
