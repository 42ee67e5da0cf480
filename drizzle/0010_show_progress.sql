CREATE TABLE "show_progress" (
	"identity_id" bigint NOT NULL,
	"show_trakt_id" integer NOT NULL,
	"aired" integer NOT NULL,
	"completed" integer NOT NULL,
	"next_season" integer,
	"next_episode" integer,
	"next_title" text,
	"activity_at" timestamp with time zone,
	"fetched_at" timestamp with time zone NOT NULL,
	CONSTRAINT "show_progress_identity_id_show_trakt_id_pk" PRIMARY KEY("identity_id","show_trakt_id")
);
--> statement-breakpoint
ALTER TABLE "show_progress" ADD CONSTRAINT "show_progress_identity_id_chat_identities_id_fk" FOREIGN KEY ("identity_id") REFERENCES "public"."chat_identities"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "show_progress_started_idx" ON "show_progress" USING btree ("identity_id") WHERE "show_progress"."completed" > 0 and "show_progress"."completed" < "show_progress"."aired";