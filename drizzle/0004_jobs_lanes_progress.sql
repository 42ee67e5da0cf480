ALTER TABLE "jobs" ADD COLUMN "lane" text;--> statement-breakpoint
ALTER TABLE "jobs" ADD COLUMN "progress" jsonb;--> statement-breakpoint
ALTER TABLE "jobs" ADD COLUMN "completed_at" timestamp with time zone;--> statement-breakpoint
CREATE INDEX "jobs_live_lane_idx" ON "jobs" USING btree ("lane","id") WHERE "jobs"."status" in ('queued', 'running') and "jobs"."lane" is not null;