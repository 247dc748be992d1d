CREATE TABLE "audit_log" (
	"seq" bigserial PRIMARY KEY NOT NULL,
	"at" timestamp with time zone NOT NULL,
	"actor_id" text,
	"actor_role" text,
	"action" text NOT NULL,
	"resource_type" text NOT NULL,
	"resource_code" text,
	"outcome" text NOT NULL,
	"request_id" text,
	"prev_hash" text NOT NULL,
	"hash" text NOT NULL,
	CONSTRAINT "audit_log_outcome_check" CHECK ("audit_log"."outcome" in ('allowed', 'denied', 'succeeded', 'failed'))
);
--> statement-breakpoint
CREATE TABLE "data_keys" (
	"id" uuid PRIMARY KEY NOT NULL,
	"group_type" text NOT NULL,
	"group_id" text NOT NULL,
	"wrapped_key" text,
	"kek_fingerprint" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"shredded_at" timestamp with time zone,
	"shred_reason" text,
	CONSTRAINT "data_keys_live_or_shredded" CHECK (("data_keys"."wrapped_key" is not null and "data_keys"."shredded_at" is null and "data_keys"."shred_reason" is null) or ("data_keys"."wrapped_key" is null and "data_keys"."shredded_at" is not null and "data_keys"."shred_reason" is not null))
);
--> statement-breakpoint
CREATE UNIQUE INDEX "audit_log_prev_hash_idx" ON "audit_log" USING btree ("prev_hash");--> statement-breakpoint
CREATE INDEX "audit_log_actor_idx" ON "audit_log" USING btree ("actor_id","seq");--> statement-breakpoint
CREATE INDEX "audit_log_resource_idx" ON "audit_log" USING btree ("resource_code","seq");--> statement-breakpoint
CREATE INDEX "audit_log_action_idx" ON "audit_log" USING btree ("action","seq");--> statement-breakpoint
CREATE INDEX "audit_log_at_idx" ON "audit_log" USING btree ("at");--> statement-breakpoint
CREATE INDEX "data_keys_group_idx" ON "data_keys" USING btree ("group_type","group_id");