/*
 * audit.h - the audit log: who changed what, when, from where, with the
 * state before and after. Append-only (the schema's triggers refuse any
 * UPDATE or DELETE of audit_log); Livery has no code path that edits it.
 */
#ifndef LV_AUDIT_H
#define LV_AUDIT_H

#include <jansson.h>
#include <stdint.h>

#include "lv_db.h"

/* Who made a change. */
struct audit_actor {
	int64_t employee;    /* employees.id, or 0 for none (the command line) */
	const char *label;   /* "cli", "system", or the employee's name */
	const char *address; /* client address, or NULL */
};

/*
 * Appends one entry. before and after (may be NULL) are not stolen.
 * Call it inside the transaction that makes the change when there is one,
 * so the change and its entry commit together. Returns LV_OK or
 * LV_EINTERNAL.
 */
int audit_append(struct lv_db *db, const struct audit_actor *who, const char *action,
		 const char *entity, const char *entity_id, json_t *before, json_t *after);

#endif
