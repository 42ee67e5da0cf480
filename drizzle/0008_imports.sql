CREATE TABLE "import_batches" (
	"import_id" bigint NOT NULL,
	"batch" integer NOT NULL,
	"journal_id" bigint,
	"done_at" timestamp with time zone,
	CONSTRAINT "import_batches_import_id_batch_pk" PRIMARY KEY("import_id","batch")
);
--> statement-breakpoint
CREATE TABLE "import_items" (
	"import_id" bigint NOT NULL,
	"position" integer NOT NULL,
	"row" jsonb NOT NULL,
	"state" text DEFAULT 'pending' NOT NULL,
	"target" jsonb,
	"candidates" jsonb,
	"batch" integer,
	"outcome" text,
	CONSTRAINT "import_items_import_id_position_pk" PRIMARY KEY("import_id","position")
);
--> statement-breakpoint
CREATE TABLE "imports" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "imports_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"identity_id" bigint NOT NULL,
	"platform" text NOT NULL,
	"chat_id" text NOT NULL,
	"card_message_id" text,
	"status" text DEFAULT 'matching' NOT NULL,
	"format" text NOT NULL,
	"file_name" text NOT NULL,
	"reading" jsonb NOT NULL,
	"summary" jsonb,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "import_batches" ADD CONSTRAINT "import_batches_import_id_imports_id_fk" FOREIGN KEY ("import_id") REFERENCES "public"."imports"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "import_items" ADD CONSTRAINT "import_items_import_id_imports_id_fk" FOREIGN KEY ("import_id") REFERENCES "public"."imports"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "imports" ADD CONSTRAINT "imports_identity_id_chat_identities_id_fk" FOREIGN KEY ("identity_id") REFERENCES "public"."chat_identities"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "import_items_batch_idx" ON "import_items" USING btree ("import_id","batch");--> statement-breakpoint
CREATE INDEX "imports_identity_idx" ON "imports" USING btree ("identity_id","created_at");