/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * policy_admin.h - what the console's Policies pages need beyond storage
 * (policy_store.h): the form HR edits the common rules in, and the
 * preview of what one employee would see.
 *
 * The form covers the rules HR writes most: the title, an audience made of
 * attribute lists (department, cost centre, site, job title, groups,
 * employment type) and a days-since-hire range, visibility allow and deny
 * lists, dress-code rules and limits (each with a product, category or
 * tag target). Everything else (kits, eligibility, price rules, an
 * audience written with any/not, a rule with a list target) is kept as it
 * is and edited as JSON; the form says which sections it keeps. Lists are
 * written comma-separated ("Navy, White"). policy_admin_form_view() and
 * policy_admin_form_view_posted() give the same shape, so a refused form
 * is shown again exactly as typed.
 */
#ifndef LV_POLICY_ADMIN_H
#define LV_POLICY_ADMIN_H

#include <jansson.h>
#include <stddef.h>

#include "lv_db.h"
#include "lv_http_parse.h"
#include "policy.h"

struct lv_i18n_catalog;

/* The most dress-code rules and limits the form edits (one more empty row is offered to add). */
#define POLICY_FORM_MAX_ROWS 40

/*
 * The form's view of policy (a policy object): {title, aud {department,
 * cost_center, site, job_title, groups, employment_type, min_days,
 * max_days}, aud_advanced, allow {categories, tags, products}, deny {...},
 * vis_advanced, dress [{i, target, kind_product|kind_category|kind_tag,
 * colours, fits, sizes, note}], dress_advanced, limits [{i, target, kind_*,
 * max, per_<per>, label}], limits_advanced, kept [what]}, with one empty row
 * after the dress rules and the limits. New JSON (caller decrefs).
 */
json_t *policy_admin_form_view(const json_t *policy);

/* The same view from a posted form (what was typed), for showing it again. */
json_t *policy_admin_form_view_posted(const struct lv_kvlist *form);

/*
 * Builds the policy the form describes: a copy of base (the stored
 * policy, or {"name": name} for a new one) with the sections the form
 * covers replaced (those the form marks advanced are kept). OUT: *out (new
 * reference) on LV_OK. On LV_EINVAL, errors (a JSON object) gets
 * {field: sentence} for every value the form itself refuses (a maximum
 * that is not a whole number, an unknown period, a row without a target,
 * a days range that is not numbers), and *out is NULL.
 */
int policy_admin_form_apply(const json_t *base, const struct lv_kvlist *form, json_t **out,
			    json_t *errors);

/*
 * The form field an engine error's JSON path belongs to, into field (size
 * len): "$.title" -> "title", "$.audience..." -> "audience",
 * "$.visibility.allow.tags[1]" -> "allow_tags", "$.dress_code[2].colours"
 * -> "dress_2", "$.limits[0].per" -> "limit_0"; "" when no field holds it
 * (kits, price, eligibility, the whole policy: shown above the form).
 * Rule indexes count the rules the form built; form (may be NULL: the
 * JSON editor) turns them into the rows shown, which may include empty
 * ones.
 */
void policy_admin_error_field(const char *path, const struct lv_kvlist *form, char *field,
			      size_t len);

/*
 * What employee_id (HR's employee number) would see under after compared
 * with before: {employee {employee_id, name, department, site},
 * policies_before [name], policies_after [name], visible_before,
 * visible_after, hidden [{slug, name}] (visible before, not after), shown
 * [{slug, name}] (the other way), variants_refused [{sku, product,
 * colour, fit, size, why}] (allowed before, not after), variants_allowed
 * [...] (the other way; why is the refusal's sentence in i18n's language,
 * say.h), limits [{policy, text}] (every limit that applies
 * after)}; lists are cut at 50 entries with *_more counts. Reads the
 * employee, every active product and variant in three queries; writes
 * nothing. OUT: *out. Returns LV_OK, LV_ENOTFOUND (no such employee) or
 * LV_EINTERNAL.
 */
int policy_admin_preview(struct lv_db *db, struct policy_set *before, struct policy_set *after,
			 const char *employee_id, const struct lv_i18n_catalog *i18n, json_t **out);

#endif
