CREATE TABLE "import_files" (
	"run_id" text PRIMARY KEY NOT NULL,
	"data_key_id" text NOT NULL,
	"held_by" text,
	"file" text NOT NULL,
	"settings" text NOT NULL,
	"stored_bytes" integer NOT NULL,
	"expires_at" timestamp with time zone NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "import_runs" ADD COLUMN "rows_written" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "import_files" ADD CONSTRAINT "import_files_run_id_import_runs_id_fk" FOREIGN KEY ("run_id") REFERENCES "public"."import_runs"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "import_files_expires_at_idx" ON "import_files" USING btree ("expires_at");