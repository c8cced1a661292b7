-- 0001_core: employees and the audit log.
-- (No json_valid() in CHECKs: connections run with trusted_schema=OFF,
-- under which SQLite 3.40 refuses JSON functions in the schema.) The sso/ module's own tables
-- (pending logins, sessions, back-channel logout jti) are created in the
-- same transaction from sso_schema_v1 (see migrate.c).

CREATE TABLE employees (
	id INTEGER PRIMARY KEY,
	iss TEXT,                      -- identity provider issuer; NULL until first login
	sub TEXT,                      -- subject at that issuer; the login key, never the email
	employee_id TEXT,              -- HR's employee number (claim_employee_id)
	name TEXT NOT NULL DEFAULT '',
	email TEXT,
	department TEXT,
	cost_center TEXT,
	site TEXT,
	job_title TEXT,
	employment_type TEXT,
	locale TEXT,                   -- from the identity provider's locale claim
	locale_choice TEXT,            -- chosen by the employee in the store; wins over locale
	groups TEXT NOT NULL DEFAULT '[]',  -- a JSON array of strings, built by employee.c
	status TEXT NOT NULL DEFAULT 'active'
		CHECK (status IN ('active', 'on_leave', 'left', 'suspended')),
	created_at INTEGER NOT NULL,
	updated_at INTEGER NOT NULL,
	last_login_at INTEGER,
	UNIQUE (iss, sub)
) STRICT;

CREATE UNIQUE INDEX employees_employee_id ON employees(employee_id)
	WHERE employee_id IS NOT NULL;

-- Append-only: Livery has no code path that updates or deletes a row here,
-- and the triggers make sure nothing else does either.
CREATE TABLE audit_log (
	id INTEGER PRIMARY KEY,
	at INTEGER NOT NULL,
	actor_employee INTEGER REFERENCES employees(id),
	actor_label TEXT NOT NULL,     -- "cli", "system", or the employee's name at the time
	address TEXT,
	action TEXT NOT NULL,
	entity TEXT NOT NULL,
	entity_id TEXT,
	before TEXT,                   -- JSON, written by the audit code
	after TEXT
) STRICT;

CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
