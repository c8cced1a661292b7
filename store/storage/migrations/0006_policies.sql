-- SPDX-License-Identifier: AGPL-3.0-or-later
-- 0006_policies: HR's catalog policies (catalog-policies/README.md) as the
-- store keeps them, with their whole history.
--
-- policies holds the active set: one row per policy, its JSON text as HR
-- gave it (pretty-printed, keys in HR's order) and a version that grows by
-- one with every change. store/domain/policy_store.c is the only writer: it
-- loads the whole set with the change applied before it writes anything,
-- so the table always holds a set that loads (a broken policy never
-- replaces a working one).
--
-- policy_history is append-only (the triggers refuse UPDATE and DELETE):
-- one row per change with the text before and after, who and when. A
-- policy deleted and created again continues its version numbers, so
-- (policy, version) names one state for ever. Every change is also
-- written to audit_log in the same transaction.

CREATE TABLE policies (
	id INTEGER PRIMARY KEY,
	name TEXT NOT NULL UNIQUE CHECK (length(name) BETWEEN 1 AND 64
		AND name NOT GLOB '*[^a-z0-9-]*'),
	body TEXT NOT NULL CHECK (length(body) >= 2),
	version INTEGER NOT NULL CHECK (version >= 1),
	created_at INTEGER NOT NULL,
	updated_at INTEGER NOT NULL,
	updated_by_employee INTEGER REFERENCES employees(id),
	updated_by_label TEXT NOT NULL     -- "cli", or the employee's name at the time
) STRICT;

CREATE TABLE policy_history (
	id INTEGER PRIMARY KEY,
	policy TEXT NOT NULL CHECK (length(policy) BETWEEN 1 AND 64),
	version INTEGER NOT NULL CHECK (version >= 1),
	action TEXT NOT NULL CHECK (action IN ('create', 'update', 'delete', 'import')),
	before TEXT,                       -- NULL for a creation
	after TEXT,                        -- NULL for a deletion
	at INTEGER NOT NULL,
	actor_employee INTEGER REFERENCES employees(id),
	actor_label TEXT NOT NULL,
	UNIQUE (policy, version),
	CHECK (before IS NOT NULL OR after IS NOT NULL)
) STRICT;

CREATE TRIGGER policy_history_no_update BEFORE UPDATE ON policy_history
BEGIN SELECT RAISE(ABORT, 'policy_history is append-only'); END;
CREATE TRIGGER policy_history_no_delete BEFORE DELETE ON policy_history
BEGIN SELECT RAISE(ABORT, 'policy_history is append-only'); END;
