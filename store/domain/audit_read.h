/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * audit_read.h - reading the audit log (audit.h writes it): the console's
 * Audit log area and its API search it, open one entry with the diff of
 * its before and after, and export what a search finds as CSV.
 *
 * Nothing here writes: the log is append-only (the schema's triggers
 * refuse UPDATE and DELETE, and Livery has no code path that tries).
 *
 * A search is keyset-paginated on the entry's id, newest first: a page
 * ends with the id to continue before, so a page is one bounded query
 * however long the log and however many entries arrive meanwhile.
 */
#ifndef LV_AUDIT_READ_H
#define LV_AUDIT_READ_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "lv_buf.h"
#include "lv_db.h"

#define AUDIT_PAGE_DEFAULT 50
#define AUDIT_PAGE_MAX 200
#define AUDIT_FILTER_MAX 200       /* bytes of one filter's text */
#define AUDIT_EXPORT_ROWS_MAX 50000 /* entries in one CSV export */
#define AUDIT_DIFF_LINES_MAX 4000  /* diff lines shown for one entry */

/* What to look for; every filter that is set must match. */
struct audit_query {
	char actor[AUDIT_FILTER_MAX + 1];     /* part of the actor's name, or their
					       * employee id or email exactly */
	char action[65];                      /* an action ("order.cancel"), or its
					       * prefix before a dot ("order") */
	char entity[65];                      /* "order", "policy", "employee"… */
	char entity_id[AUDIT_FILTER_MAX + 1]; /* exactly */
	char text[AUDIT_FILTER_MAX + 1];      /* part of the before or after JSON */
	int64_t from, to;                     /* at in [from, to); 0: open */
	char from_s[11], to_s[11];            /* the same as YYYY-MM-DD, to inclusive */
	int64_t before;                       /* entries with id < before; 0: newest */
	int limit;                            /* entries a page, 1..AUDIT_PAGE_MAX */
};

/* Reads one parameter (a query string's value, or NULL when absent). */
typedef const char *(*audit_get_fn)(void *arg, const char *key);

/*
 * Fills *q from the parameters actor, action, entity, entity_id, q (the
 * free text), from and to (YYYY-MM-DD, local days, to inclusive), before
 * (an entry id) and limit; absent or empty ones do not filter. Returns
 * LV_OK, or LV_EINVAL with OUT: *field (the parameter, "range" when from
 * is after to) and *why (an English sentence, a msgid to translate),
 * both static.
 */
int audit_query_parse(audit_get_fn get, void *arg, struct audit_query *q, const char **field,
		      const char **why);

/*
 * One page of q, newest first, in one query. OUT: *out, a new JSON array
 * of entries {id, at, actor {id, employee_id, name}, address, action,
 * entity, entity_id, before, after} (before and after as the JSON values
 * written, or null); *next, the id to pass as before for the next page, 0
 * when this is the last. Returns LV_OK or LV_EINTERNAL.
 */
int audit_search(struct lv_db *db, const struct audit_query *q, json_t **out, int64_t *next);

/* Entry id as audit_search gives it. OUT: *out (new). LV_OK, LV_ENOTFOUND or LV_EINTERNAL. */
int audit_get(struct lv_db *db, int64_t id, json_t **out);

/*
 * The actions and entities the log holds (for the search form's choices),
 * in one query, bounded. OUT: *out, a new object {actions: [...],
 * entities: [...]} sorted. Returns LV_OK or LV_EINTERNAL.
 */
int audit_vocabulary(struct lv_db *db, json_t **out);

/*
 * Everything q finds (its before and limit are ignored), newest first, as
 * CSV appended to out: id, at (ISO 8601 in the store's local time with
 * its offset), actor, actor_employee_id, address, action, entity,
 * entity_id, before, after (compact JSON); quoted like the store's other
 * exports. Read page by page (so a long export holds one page in memory
 * besides out). Returns LV_OK; LV_ETOOBIG when there are more than
 * AUDIT_EXPORT_ROWS_MAX entries or they do not fit in out (nothing is
 * then meant to be sent: out holds a part); LV_EINTERNAL. OUT: *rows, the
 * entries written.
 */
int audit_export_csv(struct lv_db *db, const struct audit_query *q, struct lv_buf *out,
		     size_t *rows);

/*
 * The line diff of an entry's before and after (JSON values, either may
 * be NULL or JSON null), each pretty-printed first (keys sorted, two
 * spaces of indent) so that a change of one field is a change of one
 * line. OUT: *truncated, 1 when more than AUDIT_DIFF_LINES_MAX lines were
 * left out. Returns a new JSON array of {kind: "same" | "add" | "del",
 * text} and, when the texts were too large to compare line by line
 * (lv_diff.h), everything removed then everything added.
 */
json_t *audit_diff(const json_t *before, const json_t *after, int *truncated);

#endif
