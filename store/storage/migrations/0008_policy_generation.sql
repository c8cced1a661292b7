-- SPDX-License-Identifier: AGPL-3.0-or-later
-- 0008_policy_generation: a counter that changes whenever the stored set of
-- catalog policies changes (a policy created, its name or text changed,
-- or deleted), whoever wrote it: the admin API in the server or `livery
-- policy import` run in another process. The running server remembers the
-- value its active set was loaded at (store/domain/policy_runtime.c) and
-- its maintenance thread compares it every few seconds, loading the set
-- again when it differs (store/face/server.c). A refused change writes no
-- row, so it does not move the counter. The counter only grows.

CREATE TABLE policy_generation (
	id INTEGER PRIMARY KEY CHECK (id = 1),
	n INTEGER NOT NULL
) STRICT;

INSERT INTO policy_generation (id, n) VALUES (1, 0);

CREATE TRIGGER policy_generation_insert AFTER INSERT ON policies
BEGIN UPDATE policy_generation SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER policy_generation_update AFTER UPDATE OF name, body ON policies
BEGIN UPDATE policy_generation SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER policy_generation_delete AFTER DELETE ON policies
BEGIN UPDATE policy_generation SET n = n + 1 WHERE id = 1; END;
