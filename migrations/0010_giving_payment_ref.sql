ALTER TABLE "provider_events" ADD COLUMN "payment_ref" text;--> statement-breakpoint
CREATE INDEX "provider_events_payment_idx" ON "provider_events" USING btree ("provider","payment_ref");