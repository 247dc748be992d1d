ALTER TABLE "mail_outbox" ADD COLUMN "secret_kind" text;--> statement-breakpoint
ALTER TABLE "mail_outbox" ADD COLUMN "sealed_body" text;--> statement-breakpoint
ALTER TABLE "mail_outbox" ADD COLUMN "data_key_id" text;--> statement-breakpoint
ALTER TABLE "mail_outbox" ADD COLUMN "sent_by" text;--> statement-breakpoint
-- Messages written before this migration kept sign-in and invitation links readable: remove them.
UPDATE "mail_outbox" SET
  "text_body" = regexp_replace("text_body", 'https?://[^[:space:]]*(/invite#|/magic-link/verify)[^[:space:]]*', '[link removed: sent to the recipient only]', 'g'),
  "html_body" = regexp_replace("html_body", 'https?://[^[:space:]"''<]*(/invite#|/magic-link/verify)[^[:space:]"''<]*', '[link removed: sent to the recipient only]', 'g')
WHERE "text_body" ~ '(/invite#|/magic-link/verify)' OR "html_body" ~ '(/invite#|/magic-link/verify)';
