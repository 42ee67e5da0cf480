-- A press consumes every button of its card (one row each) and a sent card binds them to their
-- message: both update every row of a view, and none of the columns they change is indexed. With room
-- left on each page, Postgres keeps the new row versions on the same page (HOT updates) and adds no
-- entries to the table's three indexes; PGlite has no autovacuum, and full pages made every such
-- update an insert into each index. Replaying a 300-user bench/telegram run on PGlite: a press
-- 1.71 -> 0.80 ms, a bind 1.43 -> 1.00 ms. Rows are short-lived (deleted once expired), so the
-- space is small.
ALTER TABLE "pending_actions" SET (fillfactor = 50);
