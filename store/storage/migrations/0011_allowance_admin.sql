-- SPDX-License-Identifier: AGPL-3.0-or-later
-- 0011_allowance_admin: what the console's Allowances area needs
-- (docs/allowances.md "Changing a programme", "Retiring", "Closing a
-- period"): the versions of every programme, the record of period closes,
-- and an index for the questions asked per programme.
--
-- A programme's definition changes from the next period: each change is a
-- new row of allowance_programme_versions, in force for the periods that
-- start at or after valid_from; past grants never change (the ledger is
-- append-only) and neither do versions. allowance_programmes keeps the
-- newest definition (what HR sees and edits), its unit, period and reset
-- (which never change) and whether it is retired.

CREATE TABLE allowance_programme_versions (
	id INTEGER PRIMARY KEY,
	programme INTEGER NOT NULL REFERENCES allowance_programmes(id),
	valid_from INTEGER NOT NULL,           -- 0: from the programme's start
	name TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
	audience TEXT NOT NULL DEFAULT '{}',   -- JSON selector object
	amount INTEGER NOT NULL CHECK (amount > 0),
	points_rate INTEGER CHECK (points_rate IS NULL OR points_rate > 0),
	prorate INTEGER NOT NULL CHECK (prorate IN (0, 1)),
	rollover_cap INTEGER NOT NULL CHECK (rollover_cap >= 0),
	eligibility_days INTEGER NOT NULL CHECK (eligibility_days >= 0),
	categories TEXT NOT NULL DEFAULT '[]',
	tags TEXT NOT NULL DEFAULT '[]',
	overage TEXT NOT NULL CHECK (overage IN ('deny', 'approval', 'payroll')),
	position INTEGER NOT NULL DEFAULT 0,
	created_at INTEGER NOT NULL
) STRICT;

CREATE INDEX allowance_programme_versions_programme
	ON allowance_programme_versions(programme, id);

CREATE TRIGGER allowance_programme_versions_no_update
BEFORE UPDATE ON allowance_programme_versions
BEGIN SELECT RAISE(ABORT, 'allowance_programme_versions is append-only'); END;
CREATE TRIGGER allowance_programme_versions_no_delete
BEFORE DELETE ON allowance_programme_versions
BEGIN SELECT RAISE(ABORT, 'allowance_programme_versions is append-only'); END;

-- The programmes that exist already: their definition, in force from their start.
INSERT INTO allowance_programme_versions (programme, valid_from, name, audience, amount,
	points_rate, prorate, rollover_cap, eligibility_days, categories, tags, overage,
	position, created_at)
SELECT id, 0, name, audience, amount, points_rate, prorate, rollover_cap,
	eligibility_days, categories, tags, overage, position, created_at
FROM allowance_programmes ORDER BY id;

-- Every new programme gets its first version, whoever inserts it.
CREATE TRIGGER allowance_programme_first_version AFTER INSERT ON allowance_programmes
BEGIN
	INSERT INTO allowance_programme_versions (programme, valid_from, name, audience,
		amount, points_rate, prorate, rollover_cap, eligibility_days, categories, tags,
		overage, position, created_at)
	VALUES (NEW.id, 0, NEW.name, NEW.audience, NEW.amount, NEW.points_rate, NEW.prorate,
		NEW.rollover_cap, NEW.eligibility_days, NEW.categories, NEW.tags, NEW.overage,
		NEW.position, NEW.created_at);
END;

-- The unit, period and reset of a programme never change (they give its
-- balances their meaning and its periods their keys); a retired programme
-- stays retired.
CREATE TRIGGER allowance_programmes_fixed BEFORE UPDATE ON allowance_programmes
WHEN NEW.slug IS NOT OLD.slug OR NEW.unit IS NOT OLD.unit OR NEW.period IS NOT OLD.period
	OR NEW.reset IS NOT OLD.reset OR NEW.created_at IS NOT OLD.created_at
	OR (OLD.active = 0 AND (NEW.active <> 0 OR NEW.retired_at IS NOT OLD.retired_at))
BEGIN SELECT RAISE(ABORT, 'a programme''s slug, unit, period and reset never change; a retired programme stays retired'); END;

-- A period close: for one programme and one period that has ended, every
-- employee's balance expired or rolled over as the programme says, once.
-- Written in the transaction of the ledger entries it made.
CREATE TABLE period_closes (
	id INTEGER PRIMARY KEY,
	programme INTEGER NOT NULL REFERENCES allowance_programmes(id),
	period_key TEXT NOT NULL CHECK (length(period_key) BETWEEN 1 AND 16),
	period_start INTEGER NOT NULL,
	period_end INTEGER NOT NULL CHECK (period_end > period_start),
	closed_at INTEGER NOT NULL,
	actor_employee INTEGER REFERENCES employees(id),
	actor_label TEXT NOT NULL,
	employees INTEGER NOT NULL CHECK (employees >= 0),  -- balances closed
	expired INTEGER NOT NULL CHECK (expired >= 0),      -- in the programme's unit
	rolled_over INTEGER NOT NULL CHECK (rolled_over >= 0),
	entries INTEGER NOT NULL CHECK (entries >= 0),      -- ledger rows this close wrote
	UNIQUE (programme, period_start)
) STRICT;

CREATE TRIGGER period_closes_no_update BEFORE UPDATE ON period_closes
BEGIN SELECT RAISE(ABORT, 'period_closes is append-only'); END;
CREATE TRIGGER period_closes_no_delete BEFORE DELETE ON period_closes
BEGIN SELECT RAISE(ABORT, 'period_closes is append-only'); END;

-- A programme's grants, expiries and rollovers by period (its page, its
-- closes): without it these read the whole ledger.
CREATE INDEX allowance_ledger_programme
	ON allowance_ledger(programme, period_key, kind, employee, amount);

-- HR's adjustments, newest first (the console's adjustments page).
CREATE INDEX allowance_ledger_adjustments ON allowance_ledger(id) WHERE kind = 'adjustment';
