ALTER TABLE "action_journal" ADD COLUMN "status" text DEFAULT 'done' NOT NULL;--> statement-breakpoint
ALTER TABLE "action_journal" ADD COLUMN "changed" jsonb;--> statement-breakpoint
ALTER TABLE "action_journal" ADD COLUMN "undoes" bigint;--> statement-breakpoint
ALTER TABLE "action_journal" ADD COLUMN "completed_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "action_journal" ADD COLUMN "resumed_at" timestamp with time zone;--> statement-breakpoint
CREATE INDEX "action_journal_pending_idx" ON "action_journal" USING btree ("created_at") WHERE "action_journal"."status" = 'pending';