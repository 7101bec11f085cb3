-- A unique index on (team_id, enterprise_id) does not stop two rows for one workspace, because
-- enterprise_id is NULL for workspace installs and NULLs never conflict. Key installations by
-- one non-null column instead.

-- DropIndex
DROP INDEX "slack_installations_team_enterprise_key";

-- AlterTable
ALTER TABLE "slack_installations" ADD COLUMN "install_key" TEXT;
UPDATE "slack_installations"
   SET "install_key" = CASE WHEN "is_enterprise_install" THEN 'E:' || "enterprise_id" ELSE 'T:' || "team_id" END;
ALTER TABLE "slack_installations" ALTER COLUMN "install_key" SET NOT NULL;

-- CreateIndex
CREATE UNIQUE INDEX "slack_installations_install_key_key" ON "slack_installations"("install_key");
