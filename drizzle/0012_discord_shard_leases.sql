CREATE TABLE "discord_gateway_instances" (
	"instance_id" text PRIMARY KEY NOT NULL,
	"expires_at" timestamp with time zone NOT NULL,
	"started_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "discord_shard_leases" (
	"shard_id" integer PRIMARY KEY NOT NULL,
	"shard_count" integer NOT NULL,
	"owner" text,
	"expires_at" timestamp with time zone,
	"generation" bigint DEFAULT 0 NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "discord_shard_leases_shard_ck" CHECK ("discord_shard_leases"."shard_id" >= 0 and "discord_shard_leases"."shard_id" < "discord_shard_leases"."shard_count")
);
