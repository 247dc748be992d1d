CREATE TABLE "campaigns" (
	"id" text PRIMARY KEY NOT NULL,
	"code" text NOT NULL,
	"name" text NOT NULL,
	"goal_kind" text NOT NULL,
	"goal_minor" bigint,
	"currency" char(3) NOT NULL,
	"goal_units" integer,
	"unit_minor" bigint,
	"fund_id" text NOT NULL,
	"starts_at" timestamp with time zone NOT NULL,
	"ends_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "fund_balances" (
	"fund_id" text NOT NULL,
	"currency" char(3) NOT NULL,
	"balance_minor" bigint NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "fund_balances_fund_id_currency_pk" PRIMARY KEY("fund_id","currency")
);
--> statement-breakpoint
CREATE TABLE "funds" (
	"id" text PRIMARY KEY NOT NULL,
	"code" text NOT NULL,
	"name" text NOT NULL,
	"restricted" boolean NOT NULL,
	"description" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "gift_batches" (
	"id" text PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"currency" char(3) NOT NULL,
	"control_total_minor" bigint NOT NULL,
	"status" text NOT NULL,
	"created_by" text NOT NULL,
	"posted_by" text,
	"posted_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "gifts" (
	"id" text PRIMARY KEY NOT NULL,
	"supporter_id" text NOT NULL,
	"amount_minor" bigint NOT NULL,
	"fee_minor" bigint DEFAULT 0 NOT NULL,
	"currency" char(3) NOT NULL,
	"fund_id" text NOT NULL,
	"campaign_id" text,
	"status" text NOT NULL,
	"source" text NOT NULL,
	"method" text NOT NULL,
	"provider" text,
	"provider_ref" text,
	"batch_id" text,
	"tribute_kind" text,
	"tribute_name" text,
	"anonymous" boolean DEFAULT false NOT NULL,
	"fair_market_value_minor" bigint DEFAULT 0 NOT NULL,
	"refunded_minor" bigint DEFAULT 0 NOT NULL,
	"received_on" timestamp with time zone,
	"settled_at" timestamp with time zone,
	"created_by" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "ledger_entries" (
	"id" text PRIMARY KEY NOT NULL,
	"group_id" text NOT NULL,
	"gift_id" text NOT NULL,
	"fund_id" text NOT NULL,
	"campaign_id" text,
	"kind" text NOT NULL,
	"amount_minor" bigint NOT NULL,
	"currency" char(3) NOT NULL,
	"created_by" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "provider_events" (
	"id" text PRIMARY KEY NOT NULL,
	"provider" text NOT NULL,
	"event_id" text NOT NULL,
	"gift_id" text,
	"kind" text NOT NULL,
	"amount_minor" bigint,
	"state" text NOT NULL,
	"received_at" timestamp with time zone DEFAULT now() NOT NULL,
	"applied_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "receipts" (
	"id" text PRIMARY KEY NOT NULL,
	"gift_id" text NOT NULL,
	"number" text NOT NULL,
	"amount_minor" bigint NOT NULL,
	"currency" char(3) NOT NULL,
	"outbox_id" text,
	"issued_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "soft_credits" (
	"id" text PRIMARY KEY NOT NULL,
	"gift_id" text NOT NULL,
	"credit_kind" text NOT NULL,
	"credit_ref" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "unit_allocations" (
	"id" text PRIMARY KEY NOT NULL,
	"case_code" text NOT NULL,
	"units" integer NOT NULL,
	"fund_id" text NOT NULL,
	"created_by" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX "campaigns_code_idx" ON "campaigns" USING btree ("code");--> statement-breakpoint
CREATE UNIQUE INDEX "funds_code_idx" ON "funds" USING btree ("code");--> statement-breakpoint
CREATE INDEX "gifts_supporter_idx" ON "gifts" USING btree ("supporter_id","created_at");--> statement-breakpoint
CREATE INDEX "gifts_batch_idx" ON "gifts" USING btree ("batch_id");--> statement-breakpoint
CREATE INDEX "gifts_campaign_idx" ON "gifts" USING btree ("campaign_id");--> statement-breakpoint
CREATE UNIQUE INDEX "gifts_provider_ref_idx" ON "gifts" USING btree ("provider","provider_ref");--> statement-breakpoint
CREATE INDEX "ledger_entries_gift_idx" ON "ledger_entries" USING btree ("gift_id");--> statement-breakpoint
CREATE INDEX "ledger_entries_fund_idx" ON "ledger_entries" USING btree ("fund_id","currency");--> statement-breakpoint
CREATE INDEX "ledger_entries_campaign_idx" ON "ledger_entries" USING btree ("campaign_id","currency");--> statement-breakpoint
CREATE UNIQUE INDEX "provider_events_event_idx" ON "provider_events" USING btree ("provider","event_id");--> statement-breakpoint
CREATE INDEX "provider_events_gift_idx" ON "provider_events" USING btree ("gift_id","state");--> statement-breakpoint
CREATE UNIQUE INDEX "receipts_gift_idx" ON "receipts" USING btree ("gift_id");--> statement-breakpoint
CREATE UNIQUE INDEX "receipts_number_idx" ON "receipts" USING btree ("number");--> statement-breakpoint
CREATE INDEX "soft_credits_gift_idx" ON "soft_credits" USING btree ("gift_id");--> statement-breakpoint
CREATE INDEX "soft_credits_ref_idx" ON "soft_credits" USING btree ("credit_kind","credit_ref");--> statement-breakpoint
CREATE INDEX "unit_allocations_case_idx" ON "unit_allocations" USING btree ("case_code");