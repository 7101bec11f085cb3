-- A run's note keeps what the person typed; its mentions, channel links and URLs are kept beside
-- it as parts (TextPart[], see packages/slack/src/slack-text.ts), so they render as links while
-- broadcasts can never ping anyone.
ALTER TABLE "runs" ADD COLUMN "note_parts" JSONB;

-- Notes stored before this change are Slack's slash-command text, which Slack escapes once
-- (& < > as &amp; &lt; &gt;): store what was typed. &amp; goes last, so "&amp;lt;" (a typed
-- "&lt;") becomes "&lt;" and no more.
UPDATE "runs"
SET "note" = replace(replace(replace("note", '&lt;', '<'), '&gt;', '>'), '&amp;', '&')
WHERE "note" LIKE '%&%';
