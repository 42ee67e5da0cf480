CREATE TABLE "chat_languages" (
	"platform" text NOT NULL,
	"chat_id" text NOT NULL,
	"language" text NOT NULL,
	"set_by_identity_id" bigint,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "chat_languages_platform_chat_id_pk" PRIMARY KEY("platform","chat_id")
);
--> statement-breakpoint
ALTER TABLE "chat_identities" ADD COLUMN "language" text;--> statement-breakpoint
ALTER TABLE "chat_languages" ADD CONSTRAINT "chat_languages_set_by_identity_id_chat_identities_id_fk" FOREIGN KEY ("set_by_identity_id") REFERENCES "public"."chat_identities"("id") ON DELETE set null ON UPDATE no action;