CREATE TABLE "action_journal" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "action_journal_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"identity_id" bigint NOT NULL,
	"kind" text NOT NULL,
	"items" jsonb NOT NULL,
	"result" jsonb,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"undone_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "chat_identities" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "chat_identities_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"platform" text NOT NULL,
	"platform_user_id" text NOT NULL,
	"display_name" text,
	"locale" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"last_seen_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "chat_identities_platform_ck" CHECK ("chat_identities"."platform" in ('telegram', 'discord'))
);
--> statement-breakpoint
CREATE TABLE "jobs" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "jobs_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"kind" text NOT NULL,
	"payload" jsonb NOT NULL,
	"dedupe_key" text,
	"owner_identity_id" bigint,
	"status" text DEFAULT 'queued' NOT NULL,
	"run_at" timestamp with time zone DEFAULT now() NOT NULL,
	"attempts" integer DEFAULT 0 NOT NULL,
	"max_attempts" integer DEFAULT 5 NOT NULL,
	"locked_by" text,
	"locked_until" timestamp with time zone,
	"last_error" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "link_attempts" (
	"id" text PRIMARY KEY NOT NULL,
	"identity_id" bigint NOT NULL,
	"kind" text NOT NULL,
	"state_hash" text,
	"pkce_verifier_enc" text,
	"device_code_enc" text,
	"user_code" text,
	"verification_url" text,
	"poll_interval_seconds" integer,
	"next_poll_at" timestamp with time zone,
	"notify" jsonb,
	"status" text DEFAULT 'pending' NOT NULL,
	"expires_at" timestamp with time zone NOT NULL,
	"used_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "pending_actions" (
	"id" text PRIMARY KEY NOT NULL,
	"owner_identity_id" bigint NOT NULL,
	"platform" text NOT NULL,
	"chat_id" text NOT NULL,
	"message_id" text,
	"kind" text NOT NULL,
	"payload" jsonb NOT NULL,
	"expires_at" timestamp with time zone NOT NULL,
	"consumed_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "trakt_links" (
	"identity_id" bigint PRIMARY KEY NOT NULL,
	"trakt_username" text NOT NULL,
	"trakt_slug" text NOT NULL,
	"trakt_uuid" text,
	"vip" boolean DEFAULT false NOT NULL,
	"watchlist_limit" integer,
	"access_token_enc" text NOT NULL,
	"refresh_token_enc" text NOT NULL,
	"key_id" text NOT NULL,
	"token_created_at" timestamp with time zone NOT NULL,
	"expires_at" timestamp with time zone NOT NULL,
	"status" text DEFAULT 'active' NOT NULL,
	"relink_notified_at" timestamp with time zone,
	"linked_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "trakt_links_status_ck" CHECK ("trakt_links"."status" in ('active', 'needs_relink'))
);
--> statement-breakpoint
ALTER TABLE "action_journal" ADD CONSTRAINT "action_journal_identity_id_chat_identities_id_fk" FOREIGN KEY ("identity_id") REFERENCES "public"."chat_identities"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "jobs" ADD CONSTRAINT "jobs_owner_identity_id_chat_identities_id_fk" FOREIGN KEY ("owner_identity_id") REFERENCES "public"."chat_identities"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "link_attempts" ADD CONSTRAINT "link_attempts_identity_id_chat_identities_id_fk" FOREIGN KEY ("identity_id") REFERENCES "public"."chat_identities"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "pending_actions" ADD CONSTRAINT "pending_actions_owner_identity_id_chat_identities_id_fk" FOREIGN KEY ("owner_identity_id") REFERENCES "public"."chat_identities"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "trakt_links" ADD CONSTRAINT "trakt_links_identity_id_chat_identities_id_fk" FOREIGN KEY ("identity_id") REFERENCES "public"."chat_identities"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "action_journal_identity_created_idx" ON "action_journal" USING btree ("identity_id","created_at");--> statement-breakpoint
CREATE UNIQUE INDEX "chat_identities_platform_user_uq" ON "chat_identities" USING btree ("platform","platform_user_id");--> statement-breakpoint
CREATE INDEX "jobs_runnable_idx" ON "jobs" USING btree ("status","run_at");--> statement-breakpoint
CREATE UNIQUE INDEX "jobs_live_dedupe_uq" ON "jobs" USING btree ("dedupe_key") WHERE "jobs"."status" in ('queued', 'running');--> statement-breakpoint
CREATE UNIQUE INDEX "link_attempts_state_hash_uq" ON "link_attempts" USING btree ("state_hash");--> statement-breakpoint
CREATE INDEX "link_attempts_poll_idx" ON "link_attempts" USING btree ("status","next_poll_at");--> statement-breakpoint
CREATE INDEX "link_attempts_identity_idx" ON "link_attempts" USING btree ("identity_id");--> statement-breakpoint
CREATE INDEX "pending_actions_expires_idx" ON "pending_actions" USING btree ("expires_at");--> statement-breakpoint
CREATE INDEX "pending_actions_owner_idx" ON "pending_actions" USING btree ("owner_identity_id");--> statement-breakpoint
CREATE INDEX "trakt_links_slug_idx" ON "trakt_links" USING btree ("trakt_slug");--> statement-breakpoint
CREATE INDEX "trakt_links_expires_idx" ON "trakt_links" USING btree ("expires_at");