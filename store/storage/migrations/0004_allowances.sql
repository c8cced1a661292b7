-- SPDX-License-Identifier: AGPL-3.0-or-later
-- 0004_allowances: allowance programmes, the employees' hire dates they
-- depend on, and the append-only allowance ledger (docs/allowances.md).
--
-- A balance is never stored: it is the SUM of the ledger's amounts for one
-- (employee, programme, period_key). Amounts are in the programme's unit:
-- minor units of the store currency for 'money', points for 'points'.
-- Every rule that SQL can say is a CHECK, a unique index or a trigger, so
-- that no code path (nor a hand-typed INSERT) can break it. JSON columns
-- (audience, categories, tags) are validated by store/domain/allowance.c:
-- connections run with trusted_schema=OFF, under which SQLite 3.40 refuses
-- JSON functions in the schema.

-- ISO YYYY-MM-DD, NULL when HR has not told us.
ALTER TABLE employees ADD COLUMN hire_date TEXT
	CHECK (hire_date IS NULL OR (length(hire_date) = 10 AND hire_date GLOB
		'[0-9][0-9][0-9][0-9]-[01][0-9]-[0-3][0-9]'));

CREATE TABLE allowance_programmes (
	id INTEGER PRIMARY KEY,
	slug TEXT NOT NULL UNIQUE
		CHECK (length(slug) BETWEEN 1 AND 64 AND slug NOT GLOB '*[^a-z0-9-]*'),
	name TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
	audience TEXT NOT NULL DEFAULT '{}',      -- JSON selector object
	unit TEXT NOT NULL CHECK (unit IN ('money', 'points')),
	amount INTEGER NOT NULL CHECK (amount > 0),   -- per period, in the unit
	points_rate INTEGER,                       -- minor units per point
	period TEXT NOT NULL
		CHECK (period IN ('monthly', 'quarterly', 'yearly', 'once')),
	reset TEXT NOT NULL DEFAULT 'calendar'
		CHECK (reset IN ('calendar', 'hire_anniversary')),
	prorate INTEGER NOT NULL DEFAULT 0 CHECK (prorate IN (0, 1)),
	rollover_cap INTEGER NOT NULL DEFAULT 0 CHECK (rollover_cap >= 0),
	eligibility_days INTEGER NOT NULL DEFAULT 0 CHECK (eligibility_days >= 0),
	categories TEXT NOT NULL DEFAULT '[]',    -- JSON array of category slugs
	tags TEXT NOT NULL DEFAULT '[]',          -- JSON array of tags
	overage TEXT NOT NULL DEFAULT 'deny'
		CHECK (overage IN ('deny', 'approval', 'payroll')),
	position INTEGER NOT NULL DEFAULT 0,      -- checkout applies programmes in
	                                          -- (position, id) order
	active INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
	created_at INTEGER NOT NULL,
	retired_at INTEGER,
	CHECK ((unit = 'points' AND points_rate IS NOT NULL AND points_rate > 0)
	       OR (unit = 'money' AND points_rate IS NULL)),
	CHECK (period <> 'once' OR reset = 'calendar'),
	CHECK (period <> 'once' OR rollover_cap = 0)
) STRICT;

CREATE TABLE allowance_ledger (
	id INTEGER PRIMARY KEY,
	employee INTEGER NOT NULL REFERENCES employees(id),
	programme INTEGER NOT NULL REFERENCES allowance_programmes(id),
	period_key TEXT NOT NULL CHECK (length(period_key) BETWEEN 1 AND 16),
	kind TEXT NOT NULL CHECK (kind IN ('grant', 'debit', 'refund', 'expiry',
					   'rollover', 'adjustment')),
	amount INTEGER NOT NULL,
	order_ref TEXT,                 -- the order's id (no FK: orders come later)
	reason TEXT,
	actor_employee INTEGER REFERENCES employees(id),
	actor_label TEXT NOT NULL,      -- "system", "cli", or the HR user's name
	created_at INTEGER NOT NULL,
	CHECK (CASE kind
		WHEN 'grant' THEN amount > 0
		WHEN 'refund' THEN amount > 0
		WHEN 'rollover' THEN amount > 0
		WHEN 'debit' THEN amount < 0
		WHEN 'expiry' THEN amount < 0
		ELSE amount <> 0 END),
	CHECK (kind <> 'adjustment' OR (reason IS NOT NULL AND length(trim(reason)) > 0)),
	CHECK (kind NOT IN ('debit', 'refund') OR (order_ref IS NOT NULL AND length(order_ref) > 0))
) STRICT;

-- A period's grant, expiry and rollover exist at most once: two requests
-- racing at a period boundary insert with ON CONFLICT DO NOTHING.
CREATE UNIQUE INDEX allowance_ledger_once
	ON allowance_ledger(employee, programme, period_key, kind)
	WHERE kind IN ('grant', 'expiry', 'rollover');

-- One order is debited at most once per programme.
CREATE UNIQUE INDEX allowance_ledger_debit_once
	ON allowance_ledger(order_ref, programme) WHERE kind = 'debit';

CREATE INDEX allowance_ledger_refunds
	ON allowance_ledger(order_ref, programme) WHERE kind = 'refund';

-- Balances: the sum over one (employee, programme, period_key).
CREATE INDEX allowance_ledger_balance
	ON allowance_ledger(employee, programme, period_key, amount);

CREATE TRIGGER allowance_ledger_no_update BEFORE UPDATE ON allowance_ledger
BEGIN SELECT RAISE(ABORT, 'allowance_ledger is append-only'); END;
CREATE TRIGGER allowance_ledger_no_delete BEFORE DELETE ON allowance_ledger
BEGIN SELECT RAISE(ABORT, 'allowance_ledger is append-only'); END;

-- Never below zero: an entry that would take its period's sum under zero
-- is refused, whatever wrote it.
CREATE TRIGGER allowance_ledger_not_negative BEFORE INSERT ON allowance_ledger
WHEN NEW.amount < 0 AND NEW.amount + (SELECT coalesce(sum(amount), 0)
	FROM allowance_ledger WHERE employee = NEW.employee
	AND programme = NEW.programme AND period_key = NEW.period_key) < 0
BEGIN SELECT RAISE(ABORT, 'allowance balance would go below zero'); END;
