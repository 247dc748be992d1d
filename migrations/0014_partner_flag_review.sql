CREATE TABLE "partner_flag_events" (
	"id" text PRIMARY KEY NOT NULL,
	"user_id" text NOT NULL,
	"kind" text NOT NULL,
	"by_user_id" text NOT NULL,
	"reason" text,
	"at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "partner_flags" ADD COLUMN "cleared_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "partner_flags" ADD COLUMN "cleared_by" text;--> statement-breakpoint
ALTER TABLE "partner_flags" ADD COLUMN "clear_reason" text;--> statement-breakpoint
CREATE INDEX "partner_flag_events_user_idx" ON "partner_flag_events" USING btree ("user_id","at");--> statement-breakpoint
-- Hand-written: a partner flag's history is append-only (raising and clearing add rows, nothing removes one).
CREATE FUNCTION partner_flag_events_refuse_change() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'partner_flag_events is append-only: % is not allowed', TG_OP
    USING ERRCODE = 'insufficient_privilege';
END;
$$;
--> statement-breakpoint
CREATE TRIGGER partner_flag_events_no_update_delete
  BEFORE UPDATE OR DELETE ON partner_flag_events
  FOR EACH ROW EXECUTE FUNCTION partner_flag_events_refuse_change();
