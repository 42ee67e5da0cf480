CREATE TABLE "chat_files" (
	"platform" text NOT NULL,
	"source_url" text NOT NULL,
	"file_id" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "chat_files_platform_source_url_pk" PRIMARY KEY("platform","source_url")
);
--> statement-breakpoint
CREATE TABLE "poster_cache" (
	"url" text PRIMARY KEY NOT NULL,
	"content_type" text,
	"data" "bytea",
	"failed_at" timestamp with time zone,
	"retry_after" timestamp with time zone,
	"fetched_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "watchlist_items" (
	"identity_id" bigint NOT NULL,
	"item_key" text NOT NULL,
	"type" text NOT NULL,
	"trakt_id" integer NOT NULL,
	"title" text NOT NULL,
	"sort_title" text NOT NULL,
	"year" integer,
	"rating" real,
	"listed_at" timestamp with time zone NOT NULL,
	"rank" integer,
	"data" jsonb NOT NULL,
	CONSTRAINT "watchlist_items_identity_id_item_key_pk" PRIMARY KEY("identity_id","item_key")
);
--> statement-breakpoint
CREATE TABLE "watchlist_sync" (
	"identity_id" bigint PRIMARY KEY NOT NULL,
	"activity_at" timestamp with time zone,
	"checked_at" timestamp with time zone DEFAULT now() NOT NULL,
	"synced_at" timestamp with time zone DEFAULT now() NOT NULL,
	"item_count" integer DEFAULT 0 NOT NULL
);
--> statement-breakpoint
ALTER TABLE "watchlist_items" ADD CONSTRAINT "watchlist_items_identity_id_chat_identities_id_fk" FOREIGN KEY ("identity_id") REFERENCES "public"."chat_identities"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "watchlist_sync" ADD CONSTRAINT "watchlist_sync_identity_id_chat_identities_id_fk" FOREIGN KEY ("identity_id") REFERENCES "public"."chat_identities"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "watchlist_items_listed_idx" ON "watchlist_items" USING btree ("identity_id","listed_at");--> statement-breakpoint
CREATE INDEX "watchlist_items_title_idx" ON "watchlist_items" USING btree ("identity_id","sort_title");--> statement-breakpoint
CREATE INDEX "watchlist_items_year_idx" ON "watchlist_items" USING btree ("identity_id","year");--> statement-breakpoint
CREATE INDEX "watchlist_items_rating_idx" ON "watchlist_items" USING btree ("identity_id","rating");