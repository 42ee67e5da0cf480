-- Button ids are base64url text, and every press, claim and bind finds a card's buttons by
-- prefix (`id like '<view>%'`). Postgres can answer a prefix LIKE from a btree index only under the
-- "C" collation; under the server's default (C.UTF-8, en_US.UTF-8, ...) each of them scanned the
-- whole table. With "C" the primary key's index serves them. Byte order is also the only order
-- these ids have.
ALTER TABLE "pending_actions" ALTER COLUMN "id" TYPE text COLLATE "C";
