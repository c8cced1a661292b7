-- SPDX-License-Identifier: AGPL-3.0-or-later
-- 0010_people: what the console's People area needs (docs/console.md
-- "People", docs/allowances.md "On leave and leavers"): the history of
-- every employee's status, from which allowance grants know whether an
-- employee was on leave or gone when a grant fell due, and the indexes of
-- the people list and of a login matched to an imported employee by email.
--
-- employees.status stays the status now; each change made through Livery
-- (the console, the API, an import with a status column) is also one row
-- here, written in the same transaction as the change and its audit entry.
-- The status at a time t is that of the newest row at or before t, the
-- `previous` of the first row before it, and employees.status when there
-- is no row (store/domain/allowance.c reads it so).

CREATE TABLE employee_status_changes (
	id INTEGER PRIMARY KEY,
	employee INTEGER NOT NULL REFERENCES employees(id),
	previous TEXT NOT NULL
		CHECK (previous IN ('active', 'on_leave', 'left', 'suspended')),
	status TEXT NOT NULL
		CHECK (status IN ('active', 'on_leave', 'left', 'suspended')),
	at INTEGER NOT NULL,
	reason TEXT NOT NULL CHECK (length(trim(reason)) BETWEEN 1 AND 500),
	actor_employee INTEGER REFERENCES employees(id),
	actor_label TEXT NOT NULL,
	CHECK (status <> previous)
) STRICT;

CREATE INDEX employee_status_changes_by_employee
	ON employee_status_changes(employee, at, id);

CREATE TRIGGER employee_status_changes_no_update BEFORE UPDATE ON employee_status_changes
BEGIN SELECT RAISE(ABORT, 'employee_status_changes is append-only'); END;
CREATE TRIGGER employee_status_changes_no_delete BEFORE DELETE ON employee_status_changes
BEGIN SELECT RAISE(ABORT, 'employee_status_changes is append-only'); END;

-- The people list is read by name; filters by department, site and status.
CREATE INDEX employees_by_name ON employees(name COLLATE NOCASE, id);
CREATE INDEX employees_by_department ON employees(department) WHERE department IS NOT NULL;
CREATE INDEX employees_by_site ON employees(site) WHERE site IS NOT NULL;

-- A login matched to an imported employee by email ([people] match_login),
-- and the import's check that an email belongs to one employee.
CREATE INDEX employees_by_email ON employees(lower(email)) WHERE email IS NOT NULL;
