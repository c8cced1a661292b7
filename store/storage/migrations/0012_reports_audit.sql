-- SPDX-License-Identifier: AGPL-3.0-or-later
-- 0012_reports_audit: indexes for the console's reports and audit log
-- (docs/console.md, Reports and Audit log). No table changes.

-- The audit log is read newest first (by id), filtered by action, by actor
-- or by a date range; audit_log_by_entity (0005) serves entity + entity id.
CREATE INDEX audit_log_by_action ON audit_log(action, id);
CREATE INDEX audit_log_by_actor ON audit_log(actor_employee, id);
CREATE INDEX audit_log_by_at ON audit_log(at);

-- Spend, top products and orders by month read the orders of a date range.
CREATE INDEX orders_by_created ON orders(created_at);

-- Allowance utilisation sums the ledger per programme, period and kind:
-- allowance_ledger_programme (0011) covers that query already; a second
-- index would only slow every checkout's ledger insert.
