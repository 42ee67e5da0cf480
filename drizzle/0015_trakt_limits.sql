CREATE TABLE "trakt_limits" (
	"key" text PRIMARY KEY NOT NULL,
	"next_at" bigint DEFAULT 0 NOT NULL,
	"lease_token" text,
	"lease_from" bigint DEFAULT 0 NOT NULL,
	"lease_until" bigint DEFAULT 0 NOT NULL,
	"next_token" text,
	"next_until" bigint DEFAULT 0 NOT NULL,
	"window_end" bigint DEFAULT 0 NOT NULL,
	"used" integer DEFAULT 0 NOT NULL,
	"hold_until" bigint DEFAULT 0 NOT NULL,
	"granted" boolean DEFAULT false NOT NULL,
	"touched_at" bigint NOT NULL
);
