CREATE TABLE "donor_updates" (
	"id" text PRIMARY KEY NOT NULL,
	"supporter_id" text NOT NULL,
	"period" text NOT NULL,
	"rescues" integer NOT NULL,
	"outbox_id" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "gift_splits" (
	"id" text PRIMARY KEY NOT NULL,
	"gift_id" text NOT NULL,
	"fund_id" text NOT NULL,
	"amount_minor" bigint NOT NULL
);
--> statement-breakpoint
CREATE TABLE "import_runs" (
	"id" text PRIMARY KEY NOT NULL,
	"layout" text NOT NULL,
	"file_name" text NOT NULL,
	"file_sha256" text NOT NULL,
	"status" text NOT NULL,
	"skip_bad_rows" boolean DEFAULT false NOT NULL,
	"total_rows" integer NOT NULL,
	"good_rows" integer NOT NULL,
	"bad_rows" integer NOT NULL,
	"gifts_created" integer DEFAULT 0 NOT NULL,
	"supporters_created" integer DEFAULT 0 NOT NULL,
	"failure" text,
	"created_by" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"finished_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "pledge_invoices" (
	"id" text PRIMARY KEY NOT NULL,
	"pledge_id" text NOT NULL,
	"number" text NOT NULL,
	"period_start" timestamp with time zone NOT NULL,
	"period_end" timestamp with time zone NOT NULL,
	"amount_minor" bigint NOT NULL,
	"currency" char(3) NOT NULL,
	"status" text NOT NULL,
	"gift_id" text,
	"outbox_id" text,
	"issued_by" text NOT NULL,
	"issued_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "pledge_readings" (
	"id" text PRIMARY KEY NOT NULL,
	"pledge_id" text NOT NULL,
	"read_on" timestamp with time zone NOT NULL,
	"value" bigint NOT NULL,
	"source" text NOT NULL,
	"note" text,
	"created_by" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "recurring_gifts" (
	"id" text PRIMARY KEY NOT NULL,
	"supporter_id" text NOT NULL,
	"amount_minor" bigint NOT NULL,
	"fee_minor" bigint DEFAULT 0 NOT NULL,
	"currency" char(3) NOT NULL,
	"fund_id" text NOT NULL,
	"campaign_id" text,
	"provider" text NOT NULL,
	"provider_ref" text,
	"status" text NOT NULL,
	"day_of_month" integer NOT NULL,
	"next_charge_at" timestamp with time zone,
	"failed_attempts" integer DEFAULT 0 NOT NULL,
	"last_failure_at" timestamp with time zone,
	"tribute_kind" text,
	"tribute_name" text,
	"anonymous" boolean DEFAULT false NOT NULL,
	"paused_at" timestamp with time zone,
	"cancelled_at" timestamp with time zone,
	"cancelled_by" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "sponsor_pledges" (
	"id" text PRIMARY KEY NOT NULL,
	"supporter_id" text NOT NULL,
	"kind" text NOT NULL,
	"name" text NOT NULL,
	"currency" char(3) NOT NULL,
	"fund_id" text NOT NULL,
	"campaign_id" text,
	"metric" text,
	"rate_minor" bigint,
	"per_units" integer,
	"match_ratio" integer,
	"cap_minor" bigint,
	"starts_at" timestamp with time zone NOT NULL,
	"ends_at" timestamp with time zone,
	"status" text NOT NULL,
	"created_by" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "year_end_statements" (
	"id" text PRIMARY KEY NOT NULL,
	"supporter_id" text NOT NULL,
	"year" integer NOT NULL,
	"totals" text NOT NULL,
	"outbox_id" text,
	"issued_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "gifts" ADD COLUMN "recurring_gift_id" text;--> statement-breakpoint
ALTER TABLE "gifts" ADD COLUMN "import_run_id" text;--> statement-breakpoint
ALTER TABLE "gifts" ADD COLUMN "external_ref" text;--> statement-breakpoint
ALTER TABLE "unit_allocations" ADD COLUMN "campaign_id" text;--> statement-breakpoint
CREATE UNIQUE INDEX "donor_updates_supporter_period_idx" ON "donor_updates" USING btree ("supporter_id","period");--> statement-breakpoint
CREATE UNIQUE INDEX "gift_splits_gift_fund_idx" ON "gift_splits" USING btree ("gift_id","fund_id");--> statement-breakpoint
CREATE UNIQUE INDEX "pledge_invoices_number_idx" ON "pledge_invoices" USING btree ("number");--> statement-breakpoint
CREATE INDEX "pledge_invoices_pledge_idx" ON "pledge_invoices" USING btree ("pledge_id");--> statement-breakpoint
CREATE INDEX "pledge_readings_pledge_idx" ON "pledge_readings" USING btree ("pledge_id","read_on");--> statement-breakpoint
CREATE INDEX "recurring_gifts_supporter_idx" ON "recurring_gifts" USING btree ("supporter_id");--> statement-breakpoint
CREATE INDEX "recurring_gifts_due_idx" ON "recurring_gifts" USING btree ("status","next_charge_at");--> statement-breakpoint
CREATE UNIQUE INDEX "recurring_gifts_provider_ref_idx" ON "recurring_gifts" USING btree ("provider","provider_ref");--> statement-breakpoint
CREATE INDEX "sponsor_pledges_supporter_idx" ON "sponsor_pledges" USING btree ("supporter_id");--> statement-breakpoint
CREATE UNIQUE INDEX "year_end_statements_supporter_year_idx" ON "year_end_statements" USING btree ("supporter_id","year");--> statement-breakpoint
CREATE INDEX "gifts_recurring_idx" ON "gifts" USING btree ("recurring_gift_id");--> statement-breakpoint
CREATE UNIQUE INDEX "gifts_external_ref_idx" ON "gifts" USING btree ("external_ref");--> statement-breakpoint
CREATE INDEX "gifts_settled_idx" ON "gifts" USING btree ("status","settled_at");