-- What became of a command the gateway could not confirm in time (issue 14): the first of the
-- gateway ("abandoned": the person was told it failed) and the consumer ("taken": it is being
-- handled) to write a command's row decides, so a command the person was told failed never
-- takes effect later, and one that did take effect is confirmed instead of reported failed.
CREATE TABLE command_fates (
  message_id  uuid PRIMARY KEY,
  fate        text NOT NULL CHECK (fate IN ('abandoned', 'taken')),
  created_at  timestamptz(3) NOT NULL DEFAULT now()
);

CREATE INDEX command_fates_created_at_idx ON command_fates (created_at);
