/*
 * employee.h - employees as the store knows them.
 *
 * An employee is created or updated at every login from the identity
 * provider's claims, keyed on (issuer, subject) - never on the email, which
 * can change hands. HR may also know employees before their first login
 * (a later import); status decides whether they may use the store at all.
 */
#ifndef LV_EMPLOYEE_H
#define LV_EMPLOYEE_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "lv_db.h"

/* Which claim carries which attribute ([oidc] claim_* keys). */
struct employee_claims_map {
	const char *employee_id;
	const char *department;
	const char *cost_center;
	const char *site;
	const char *groups;
	const char *locale;
	const char *manager; /* the manager's employee id */
};

/*
 * How a first login finds the employee HR imported before it ([people]
 * match_login): an imported employee has no (iss, sub) until then.
 */
enum employee_match {
	EMPLOYEE_MATCH_EMPLOYEE_ID,            /* the employee id claim (the default) */
	EMPLOYEE_MATCH_EMAIL,                  /* the email claim, unless email_verified is false */
	EMPLOYEE_MATCH_EMPLOYEE_ID_THEN_EMAIL  /* the employee id, else the email */
};

/*
 * "employee_id", "email" or "employee_id_then_email" (the configuration's
 * words). OUT: *out. Returns LV_OK or LV_EINVAL.
 */
int employee_match_parse(const char *s, enum employee_match *out);

/*
 * Creates or updates the employee (iss, sub) from claims (a JSON object,
 * not stolen) in one transaction. When no employee has (iss, sub) yet, an
 * imported one (iss and sub NULL; never one linked to another login) is
 * adopted first, found as match says, with an audit entry
 * "employee.login_linked"; otherwise a new employee is created. A claim
 * that is present wins over what the store knew; an attribute whose claim
 * is absent keeps its value (HR's import, or an earlier login). Claims of
 * the wrong type or absurd length are ignored (logged), never stored.
 * OUT: *id, and *active (0 when the employee has left or is suspended: the
 * caller must refuse the login). LV_ECONFLICT when another employee
 * already holds that employee id.
 */
int employee_login_upsert(struct lv_db *db, const struct employee_claims_map *map,
			  enum employee_match match, const char *iss, const char *sub,
			  json_t *claims, int64_t *id, int *active);

/* employee_login_upsert matching by employee id (EMPLOYEE_MATCH_EMPLOYEE_ID). */
int employee_upsert_from_claims(struct lv_db *db, const struct employee_claims_map *map,
				const char *iss, const char *sub, json_t *claims,
				int64_t *id, int *active);

/*
 * The employee as a JSON object {id, employee_id, name, email, department,
 * cost_center, site, job_title, employment_type, locale, locale_choice,
 * groups: [...], status, hire_date, manager_employee_id}. OUT: *out (new reference). LV_ENOTFOUND.
 */
int employee_get(struct lv_db *db, int64_t id, json_t **out);

/*
 * Records the language the employee chose in the store ("en", "fr"), with
 * an audit entry "employee.language" by the employee, from address (may be
 * NULL), when the choice changed. LV_OK, LV_ENOTFOUND, LV_EINTERNAL.
 */
int employee_locale_set(struct lv_db *db, int64_t id, const char *lang, const char *address);

/* 1 when status lets the employee use the store (active, on_leave). */
int employee_status_allows_login(const char *status);

/* "Alice Martin" -> first "Alice", initials "AM" (UTF-8 aware). */
void employee_name_parts(const char *name, char *first, size_t firstlen,
			 char *initials, size_t initialslen);

#endif
