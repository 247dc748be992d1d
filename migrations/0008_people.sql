CREATE TABLE "supporter_consents" (
	"id" text PRIMARY KEY NOT NULL,
	"supporter_id" text NOT NULL,
	"channel" text NOT NULL,
	"granted" boolean NOT NULL,
	"method" text NOT NULL,
	"stated_at" timestamp with time zone NOT NULL,
	"recorded_by" text,
	"recorded_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "supporter_notes" (
	"id" text PRIMARY KEY NOT NULL,
	"supporter_id" text NOT NULL,
	"body" text NOT NULL,
	"created_by" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "supporter_tags" (
	"supporter_id" text NOT NULL,
	"tag" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "supporter_tags_supporter_id_tag_pk" PRIMARY KEY("supporter_id","tag")
);
--> statement-breakpoint
CREATE TABLE "supporters" (
	"id" text PRIMARY KEY NOT NULL,
	"kind" text NOT NULL,
	"organisation_type" text,
	"display_name" text NOT NULL,
	"first_name" text,
	"last_name" text,
	"email" text,
	"email_key" text,
	"phone" text,
	"phone_key" text,
	"postcode" text,
	"postcode_key" text,
	"name_key" text NOT NULL,
	"household_id" text,
	"merged_into_id" text,
	"merged_at" timestamp with time zone,
	"created_by" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE INDEX "supporter_consents_supporter_idx" ON "supporter_consents" USING btree ("supporter_id","channel","recorded_at");--> statement-breakpoint
CREATE INDEX "supporter_notes_supporter_idx" ON "supporter_notes" USING btree ("supporter_id","created_at");--> statement-breakpoint
CREATE INDEX "supporter_tags_tag_idx" ON "supporter_tags" USING btree ("tag");--> statement-breakpoint
CREATE INDEX "supporters_email_key_idx" ON "supporters" USING btree ("email_key");--> statement-breakpoint
CREATE INDEX "supporters_phone_key_idx" ON "supporters" USING btree ("phone_key");--> statement-breakpoint
CREATE INDEX "supporters_name_postcode_idx" ON "supporters" USING btree ("name_key","postcode_key");--> statement-breakpoint
CREATE INDEX "supporters_postcode_key_idx" ON "supporters" USING btree ("postcode_key");