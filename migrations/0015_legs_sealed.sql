ALTER TABLE "legs" ALTER COLUMN "from_place" DROP NOT NULL;--> statement-breakpoint
ALTER TABLE "legs" ALTER COLUMN "to_place" DROP NOT NULL;--> statement-breakpoint
ALTER TABLE "legs" ADD COLUMN "from_place_enc" text;--> statement-breakpoint
ALTER TABLE "legs" ADD COLUMN "to_place_enc" text;--> statement-breakpoint
ALTER TABLE "legs" ADD COLUMN "planned_start_enc" text;--> statement-breakpoint
ALTER TABLE "legs" ADD COLUMN "planned_end_enc" text;--> statement-breakpoint
ALTER TABLE "legs" ADD COLUMN "notes_enc" text;