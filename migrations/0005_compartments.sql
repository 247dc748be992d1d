CREATE TABLE "compartment_members" (
	"compartment_id" text NOT NULL,
	"user_id" text NOT NULL,
	"granted_by" text NOT NULL,
	"granted_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "compartment_members_compartment_id_user_id_pk" PRIMARY KEY("compartment_id","user_id")
);
--> statement-breakpoint
CREATE TABLE "compartments" (
	"id" text PRIMARY KEY NOT NULL,
	"code" text NOT NULL,
	"name" text NOT NULL,
	"purpose" text DEFAULT '' NOT NULL,
	"created_by" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"archived_at" timestamp with time zone,
	CONSTRAINT "compartments_code_unique" UNIQUE("code")
);
--> statement-breakpoint
ALTER TABLE "compartment_members" ADD CONSTRAINT "compartment_members_compartment_id_compartments_id_fk" FOREIGN KEY ("compartment_id") REFERENCES "public"."compartments"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "compartment_members" ADD CONSTRAINT "compartment_members_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "compartment_members_user_idx" ON "compartment_members" USING btree ("user_id");