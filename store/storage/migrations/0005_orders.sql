-- SPDX-License-Identifier: AGPL-3.0-or-later
-- 0005_orders: the money path - carts, orders and their lines, what each
-- allowance programme paid for each line, and the idempotency keys that
-- make a retried checkout return the first answer (docs/orders.md).
--
-- Money is in minor units of the store currency. What an allowance paid is
-- recorded twice on purpose: once per line and programme here
-- (order_payments, append-only) and once per order and programme as the
-- ledger's debit; the tests check that the two always agree. Stock is
-- reserved by decrementing variants.stock (CHECK stock >= 0) in the
-- checkout's transaction and released on cancellation, refusal or return.

-- HR's employee id of the employee's manager (the [oidc] claim_manager
-- claim): a manager approves their reports' orders.
ALTER TABLE employees ADD COLUMN manager_employee_id TEXT
	CHECK (manager_employee_id IS NULL OR length(manager_employee_id) BETWEEN 1 AND 256);

CREATE INDEX employees_by_manager ON employees(manager_employee_id)
	WHERE manager_employee_id IS NOT NULL;

-- One cart per employee, kept across logins and restarts.
CREATE TABLE cart_lines (
	employee INTEGER NOT NULL REFERENCES employees(id),
	variant INTEGER NOT NULL REFERENCES variants(id),
	quantity INTEGER NOT NULL CHECK (quantity BETWEEN 1 AND 99),
	added_at INTEGER NOT NULL,
	updated_at INTEGER NOT NULL,
	PRIMARY KEY (employee, variant)
) STRICT, WITHOUT ROWID;

CREATE TABLE orders (
	id INTEGER PRIMARY KEY,
	ref TEXT NOT NULL UNIQUE CHECK (length(ref) BETWEEN 4 AND 32),
	employee INTEGER NOT NULL REFERENCES employees(id),
	status TEXT NOT NULL CHECK (status IN ('pending_approval', 'placed', 'picking',
		'shipped', 'delivered', 'cancelled', 'returned', 'refused')),
	currency TEXT NOT NULL CHECK (length(currency) = 3),
	total INTEGER NOT NULL CHECK (total >= 0),
	covered INTEGER NOT NULL CHECK (covered >= 0),  -- paid by allowances
	overage INTEGER NOT NULL CHECK (overage >= 0),  -- the rest
	overage_approval INTEGER NOT NULL DEFAULT 0 CHECK (overage_approval >= 0),
	overage_payroll INTEGER NOT NULL DEFAULT 0 CHECK (overage_payroll >= 0),
	payroll_consent INTEGER NOT NULL DEFAULT 0 CHECK (payroll_consent IN (0, 1)),
	delivery TEXT NOT NULL CHECK (delivery IN ('site', 'home')),
	ship_to TEXT NOT NULL,        -- JSON: {"site": ...} or the home address
	carrier TEXT CHECK (carrier IS NULL OR length(carrier) BETWEEN 1 AND 64),
	tracking TEXT CHECK (tracking IS NULL OR length(tracking) BETWEEN 1 AND 128),
	decided_by INTEGER REFERENCES employees(id),   -- approver or refuser
	decided_at INTEGER,
	decision_reason TEXT,
	created_at INTEGER NOT NULL,
	updated_at INTEGER NOT NULL,
	CHECK (covered + overage = total),
	-- a 'deny' overage never becomes an order
	CHECK (overage_approval + overage_payroll = overage),
	-- payroll is only ever charged with the employee's explicit consent
	CHECK (overage_payroll = 0 OR payroll_consent = 1),
	CHECK (status <> 'shipped' OR (carrier IS NOT NULL AND tracking IS NOT NULL)),
	CHECK (status <> 'refused' OR (decision_reason IS NOT NULL
		AND length(trim(decision_reason)) > 0))
) STRICT;

CREATE INDEX orders_by_employee ON orders(employee, id);
CREATE INDEX orders_by_status ON orders(status, id);

CREATE TABLE order_lines (
	id INTEGER PRIMARY KEY,
	order_id INTEGER NOT NULL REFERENCES orders(id),
	line_no INTEGER NOT NULL CHECK (line_no >= 1),
	variant INTEGER NOT NULL REFERENCES variants(id),
	-- what the employee saw, kept even if the catalog changes later
	sku TEXT NOT NULL,
	product_name TEXT NOT NULL,
	size TEXT NOT NULL,
	colour TEXT NOT NULL,
	fit TEXT NOT NULL,
	category TEXT NOT NULL,        -- category slug at checkout
	unit_price INTEGER NOT NULL CHECK (unit_price >= 0),
	quantity INTEGER NOT NULL CHECK (quantity BETWEEN 1 AND 99),
	total INTEGER NOT NULL,
	covered INTEGER NOT NULL,
	overage_rule TEXT CHECK (overage_rule IN ('approval', 'payroll')),
	cancelled_quantity INTEGER NOT NULL DEFAULT 0,
	returned_quantity INTEGER NOT NULL DEFAULT 0,
	CHECK (total = unit_price * quantity),
	CHECK (covered BETWEEN 0 AND total),
	CHECK ((covered = total) = (overage_rule IS NULL)),
	CHECK (cancelled_quantity >= 0 AND returned_quantity >= 0
	       AND cancelled_quantity + returned_quantity <= quantity),
	UNIQUE (order_id, line_no)
) STRICT;

CREATE INDEX order_lines_by_variant ON order_lines(variant);

-- What each programme paid for each line: amount in the programme's unit
-- (minor units or points), value in minor units of money. Append-only;
-- refunds are ledger entries.
CREATE TABLE order_payments (
	line_id INTEGER NOT NULL REFERENCES order_lines(id),
	programme INTEGER NOT NULL REFERENCES allowance_programmes(id),
	order_id INTEGER NOT NULL REFERENCES orders(id),
	amount INTEGER NOT NULL CHECK (amount > 0),
	value INTEGER NOT NULL CHECK (value > 0),
	PRIMARY KEY (line_id, programme)
) STRICT, WITHOUT ROWID;

CREATE INDEX order_payments_by_order ON order_payments(order_id, programme);

CREATE TRIGGER order_payments_no_update BEFORE UPDATE ON order_payments
BEGIN SELECT RAISE(ABORT, 'order_payments is append-only'); END;
CREATE TRIGGER order_payments_no_delete BEFORE DELETE ON order_payments
BEGIN SELECT RAISE(ABORT, 'order_payments is append-only'); END;

-- Orders are never deleted (the ledger refers to them by ref).
CREATE TRIGGER orders_no_delete BEFORE DELETE ON orders
BEGIN SELECT RAISE(ABORT, 'orders are never deleted'); END;
CREATE TRIGGER order_lines_no_delete BEFORE DELETE ON order_lines
BEGIN SELECT RAISE(ABORT, 'order lines are never deleted'); END;

-- A checkout's idempotency key (IETF draft "The Idempotency-Key HTTP
-- Header Field"), scoped to the employee. Written in the checkout's own
-- transaction together with the order, so a key exists exactly when its
-- order does; a refused checkout stores nothing.
CREATE TABLE idempotency_keys (
	employee INTEGER NOT NULL REFERENCES employees(id),
	key TEXT NOT NULL CHECK (length(key) BETWEEN 1 AND 255),
	fingerprint TEXT NOT NULL CHECK (length(fingerprint) = 64),
	order_id INTEGER NOT NULL REFERENCES orders(id),
	status INTEGER NOT NULL CHECK (status BETWEEN 200 AND 399),
	response TEXT NOT NULL,        -- the body (API) or the Location (form)
	created_at INTEGER NOT NULL,
	PRIMARY KEY (employee, key)
) STRICT, WITHOUT ROWID;

-- The history of one thing (an order's transitions) is read from here.
CREATE INDEX audit_log_by_entity ON audit_log(entity, entity_id, id);
