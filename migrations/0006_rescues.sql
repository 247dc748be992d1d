CREATE TABLE "case_costs" (
	"id" text PRIMARY KEY NOT NULL,
	"case_id" text NOT NULL,
	"leg_id" text,
	"compartment_id" text NOT NULL,
	"category" text NOT NULL,
	"amount_minor" bigint NOT NULL,
	"currency" char(3) NOT NULL,
	"spent_on" timestamp with time zone NOT NULL,
	"recorded_by" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "case_events" (
	"id" text PRIMARY KEY NOT NULL,
	"case_id" text NOT NULL,
	"compartment_id" text NOT NULL,
	"kind" text NOT NULL,
	"from_status" text,
	"to_status" text,
	"note_enc" text,
	"by_user_id" text,
	"at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "check_ins" (
	"id" text PRIMARY KEY NOT NULL,
	"case_id" text NOT NULL,
	"leg_id" text NOT NULL,
	"compartment_id" text NOT NULL,
	"kind" text NOT NULL,
	"note_enc" text,
	"by_user_id" text NOT NULL,
	"at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "funding_allocations" (
	"id" text PRIMARY KEY NOT NULL,
	"case_id" text NOT NULL,
	"units" integer NOT NULL,
	"source_ref" text NOT NULL,
	"allocated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "funding_allocations_source_ref_unique" UNIQUE("source_ref")
);
--> statement-breakpoint
CREATE TABLE "incident_notes" (
	"id" text PRIMARY KEY NOT NULL,
	"incident_id" text NOT NULL,
	"compartment_id" text NOT NULL,
	"note_enc" text NOT NULL,
	"by_user_id" text NOT NULL,
	"at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "incidents" (
	"id" text PRIMARY KEY NOT NULL,
	"case_id" text NOT NULL,
	"leg_id" text,
	"compartment_id" text NOT NULL,
	"kind" text NOT NULL,
	"severity" text NOT NULL,
	"status" text NOT NULL,
	"description_enc" text,
	"opened_by" text NOT NULL,
	"opened_at" timestamp with time zone DEFAULT now() NOT NULL,
	"resolved_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "legs" (
	"id" text PRIMARY KEY NOT NULL,
	"case_id" text NOT NULL,
	"compartment_id" text NOT NULL,
	"position" integer NOT NULL,
	"kind" text NOT NULL,
	"from_place" text NOT NULL,
	"to_place" text NOT NULL,
	"field_partner_id" text,
	"planned_start" timestamp with time zone,
	"planned_end" timestamp with time zone,
	"status" text NOT NULL,
	"budget_minor" bigint DEFAULT 0 NOT NULL,
	"currency" char(3) NOT NULL,
	"picked_up_at" timestamp with time zone,
	"handed_off_at" timestamp with time zone,
	"check_in_due_at" timestamp with time zone,
	"compromised_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "partner_flags" (
	"user_id" text PRIMARY KEY NOT NULL,
	"compromised_at" timestamp with time zone NOT NULL,
	"marked_by" text NOT NULL
);
--> statement-breakpoint
CREATE TABLE "rescue_alerts" (
	"id" text PRIMARY KEY NOT NULL,
	"case_id" text NOT NULL,
	"leg_id" text,
	"compartment_id" text NOT NULL,
	"kind" text NOT NULL,
	"raised_at" timestamp with time zone DEFAULT now() NOT NULL,
	"acknowledged_at" timestamp with time zone,
	"acknowledged_by" text
);
--> statement-breakpoint
CREATE TABLE "rescue_cases" (
	"id" text PRIMARY KEY NOT NULL,
	"code" text NOT NULL,
	"compartment_id" text NOT NULL,
	"data_key_id" text NOT NULL,
	"status" text NOT NULL,
	"status_changed_at" timestamp with time zone DEFAULT now() NOT NULL,
	"destination" text,
	"route_template_id" text,
	"budget_per_person_minor" bigint NOT NULL,
	"budget_currency" char(3) NOT NULL,
	"flagged_at" timestamp with time zone,
	"flag_reason" text,
	"opened_by" text NOT NULL,
	"opened_at" timestamp with time zone DEFAULT now() NOT NULL,
	"arrived_at" timestamp with time zone,
	"handed_over_at" timestamp with time zone,
	"closed_at" timestamp with time zone,
	"retention_days" integer NOT NULL,
	"shred_due_at" timestamp with time zone,
	"shredded_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "resettlement_handovers" (
	"client_code" text PRIMARY KEY NOT NULL,
	"category" text NOT NULL,
	"sex" text NOT NULL,
	"age_band" text NOT NULL,
	"destination" text NOT NULL,
	"handed_over_at" timestamp with time zone NOT NULL,
	"claimed_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "route_templates" (
	"id" text PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"legs" text NOT NULL,
	"currency" char(3) NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "route_templates_name_unique" UNIQUE("name")
);
--> statement-breakpoint
CREATE TABLE "travellers" (
	"id" text PRIMARY KEY NOT NULL,
	"case_id" text NOT NULL,
	"compartment_id" text NOT NULL,
	"position" integer NOT NULL,
	"category" text NOT NULL,
	"sex" text NOT NULL,
	"birth_year" integer,
	"age_band" text NOT NULL,
	"travelling_with_family" text NOT NULL,
	"reunifying_with_family" text NOT NULL,
	"reunify_with_case_code" text,
	"trafficked_in_china" text NOT NULL,
	"years_in_china" integer,
	"years_in_china_declined" boolean DEFAULT false NOT NULL,
	"health_needs" text NOT NULL,
	"name_enc" text,
	"current_region_enc" text,
	"family_in_north_korea_enc" text,
	"contact_method_enc" text,
	"health_notes_enc" text,
	"photo_enc" text,
	"photo_type" text,
	"client_code" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "case_costs" ADD CONSTRAINT "case_costs_case_id_rescue_cases_id_fk" FOREIGN KEY ("case_id") REFERENCES "public"."rescue_cases"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "case_events" ADD CONSTRAINT "case_events_case_id_rescue_cases_id_fk" FOREIGN KEY ("case_id") REFERENCES "public"."rescue_cases"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "check_ins" ADD CONSTRAINT "check_ins_case_id_rescue_cases_id_fk" FOREIGN KEY ("case_id") REFERENCES "public"."rescue_cases"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "check_ins" ADD CONSTRAINT "check_ins_leg_id_legs_id_fk" FOREIGN KEY ("leg_id") REFERENCES "public"."legs"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "funding_allocations" ADD CONSTRAINT "funding_allocations_case_id_rescue_cases_id_fk" FOREIGN KEY ("case_id") REFERENCES "public"."rescue_cases"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "incident_notes" ADD CONSTRAINT "incident_notes_incident_id_incidents_id_fk" FOREIGN KEY ("incident_id") REFERENCES "public"."incidents"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "incidents" ADD CONSTRAINT "incidents_case_id_rescue_cases_id_fk" FOREIGN KEY ("case_id") REFERENCES "public"."rescue_cases"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "legs" ADD CONSTRAINT "legs_case_id_rescue_cases_id_fk" FOREIGN KEY ("case_id") REFERENCES "public"."rescue_cases"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "rescue_alerts" ADD CONSTRAINT "rescue_alerts_case_id_rescue_cases_id_fk" FOREIGN KEY ("case_id") REFERENCES "public"."rescue_cases"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "travellers" ADD CONSTRAINT "travellers_case_id_rescue_cases_id_fk" FOREIGN KEY ("case_id") REFERENCES "public"."rescue_cases"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "case_costs_case_idx" ON "case_costs" USING btree ("case_id");--> statement-breakpoint
CREATE INDEX "case_events_case_idx" ON "case_events" USING btree ("case_id","at");--> statement-breakpoint
CREATE INDEX "check_ins_case_idx" ON "check_ins" USING btree ("case_id","at");--> statement-breakpoint
CREATE INDEX "funding_allocations_case_idx" ON "funding_allocations" USING btree ("case_id");--> statement-breakpoint
CREATE INDEX "incidents_case_idx" ON "incidents" USING btree ("case_id");--> statement-breakpoint
CREATE INDEX "incidents_compartment_status_idx" ON "incidents" USING btree ("compartment_id","status");--> statement-breakpoint
CREATE UNIQUE INDEX "legs_case_position_idx" ON "legs" USING btree ("case_id","position");--> statement-breakpoint
CREATE INDEX "legs_partner_idx" ON "legs" USING btree ("field_partner_id","status");--> statement-breakpoint
CREATE INDEX "legs_check_in_due_idx" ON "legs" USING btree ("check_in_due_at");--> statement-breakpoint
CREATE INDEX "legs_compartment_status_idx" ON "legs" USING btree ("compartment_id","status");--> statement-breakpoint
CREATE INDEX "rescue_alerts_open_idx" ON "rescue_alerts" USING btree ("compartment_id","acknowledged_at");--> statement-breakpoint
CREATE UNIQUE INDEX "rescue_alerts_leg_kind_idx" ON "rescue_alerts" USING btree ("leg_id","kind","raised_at");--> statement-breakpoint
CREATE UNIQUE INDEX "rescue_cases_code_idx" ON "rescue_cases" USING btree ("code");--> statement-breakpoint
CREATE INDEX "rescue_cases_compartment_status_idx" ON "rescue_cases" USING btree ("compartment_id","status");--> statement-breakpoint
CREATE INDEX "rescue_cases_shred_due_idx" ON "rescue_cases" USING btree ("shred_due_at");--> statement-breakpoint
CREATE UNIQUE INDEX "travellers_case_position_idx" ON "travellers" USING btree ("case_id","position");