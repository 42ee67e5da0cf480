CREATE TABLE "pick_ballot" (
	"session_id" bigint NOT NULL,
	"position" integer NOT NULL,
	"item_key" text NOT NULL,
	"title" jsonb NOT NULL,
	"wanted_by" integer NOT NULL,
	"nominated_by" bigint,
	CONSTRAINT "pick_ballot_session_id_position_pk" PRIMARY KEY("session_id","position")
);
--> statement-breakpoint
CREATE TABLE "pick_members" (
	"session_id" bigint NOT NULL,
	"identity_id" bigint NOT NULL,
	"display_name" text NOT NULL,
	"via" text NOT NULL,
	"trakt_username" text,
	"notify" boolean DEFAULT false NOT NULL,
	"approvals" integer[] DEFAULT '{}'::integer[] NOT NULL,
	"joined_at" timestamp with time zone DEFAULT now() NOT NULL,
	"left_at" timestamp with time zone,
	CONSTRAINT "pick_members_session_id_identity_id_pk" PRIMARY KEY("session_id","identity_id")
);
--> statement-breakpoint
CREATE TABLE "pick_sessions" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "pick_sessions_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"token" text NOT NULL,
	"platform" text NOT NULL,
	"chat_id" text NOT NULL,
	"card_message_id" text,
	"host_identity_id" bigint NOT NULL,
	"status" text DEFAULT 'gathering' NOT NULL,
	"options" jsonb NOT NULL,
	"cap" integer,
	"deadline" timestamp with time zone,
	"pool" jsonb,
	"result" jsonb,
	"closed_by" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"started_at" timestamp with time zone,
	"closed_at" timestamp with time zone
);
--> statement-breakpoint
ALTER TABLE "pick_ballot" ADD CONSTRAINT "pick_ballot_session_id_pick_sessions_id_fk" FOREIGN KEY ("session_id") REFERENCES "public"."pick_sessions"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "pick_ballot" ADD CONSTRAINT "pick_ballot_nominated_by_chat_identities_id_fk" FOREIGN KEY ("nominated_by") REFERENCES "public"."chat_identities"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "pick_members" ADD CONSTRAINT "pick_members_session_id_pick_sessions_id_fk" FOREIGN KEY ("session_id") REFERENCES "public"."pick_sessions"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "pick_members" ADD CONSTRAINT "pick_members_identity_id_chat_identities_id_fk" FOREIGN KEY ("identity_id") REFERENCES "public"."chat_identities"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "pick_sessions" ADD CONSTRAINT "pick_sessions_host_identity_id_chat_identities_id_fk" FOREIGN KEY ("host_identity_id") REFERENCES "public"."chat_identities"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "pick_ballot_item_uq" ON "pick_ballot" USING btree ("session_id","item_key");--> statement-breakpoint
CREATE UNIQUE INDEX "pick_sessions_token_uq" ON "pick_sessions" USING btree ("token");--> statement-breakpoint
CREATE UNIQUE INDEX "pick_sessions_live_chat_uq" ON "pick_sessions" USING btree ("platform","chat_id") WHERE "pick_sessions"."status" in ('gathering', 'voting');--> statement-breakpoint
CREATE INDEX "pick_sessions_chat_closed_idx" ON "pick_sessions" USING btree ("platform","chat_id","closed_at");