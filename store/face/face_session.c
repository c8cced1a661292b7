/*
 * face_session.c - session cookie in, employee out (see face_session.h).
 */
#include "face_session.h"

#include <sodium.h>
#include <string.h>

#include "employee.h"
#include "lv_err.h"
#include "lv_log.h"
#include "lv_mem.h"
#include "sso.h"
#include "theme.h"

/* Sets the session cookie (or clears it when value is NULL). */
static int session_cookie_set(struct req *r, const char *value)
{
	char line[256];
	/* Secure when employees use https (public_url), or when this request
	 * came over https all the same (req_client_https: TLS, or a trusted
	 * proxy said so); a forged X-Forwarded-Proto can never remove it */
	const char *secure = r->app->cfg.public_https || req_client_https(r) ? "; Secure" : "";

	if (value)
		lv_snprintf(line, sizeof(line), "%s=%s; Path=/; HttpOnly; SameSite=Lax%s",
			    SESSION_COOKIE, value, secure);
	else
		lv_snprintf(line, sizeof(line),
			    "%s=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0%s",
			    SESSION_COOKIE, secure);
	return reply_header(r, "Set-Cookie", line);
}

int session_load(struct req *r)
{
	const char *header = req_header(r, "Cookie");
	struct req_user *u = &r->user_storage;
	const char *status;
	int rc;

	if (header == NULL || r->db == NULL)
		return LV_OK;
	memset(u, 0, sizeof(*u));
	if (lv_cookie_get(header, SESSION_COOKIE, u->cookie, sizeof(u->cookie)) != LV_OK)
		return LV_OK;
	rc = sso_session_lookup(r->app->rp, r->db, u->cookie, &u->sess);
	if (rc != LV_OK) {
		sso_session_cleanup(&u->sess);
		if (rc == LV_ENOTFOUND) /* expired or unknown: forget the cookie */
			session_cookie_set(r, NULL);
		return LV_OK;
	}
	u->employee = u->sess.principal_id;
	if (employee_get(r->db, u->employee, &u->profile) != LV_OK) {
		sso_session_cleanup(&u->sess);
		return LV_OK;
	}
	status = json_string_value(json_object_get(u->profile, "status"));
	if (!employee_status_allows_login(status)) {
		lv_warn("session_refused", "rid=%s employee=%lld status=%s", r->rid,
			(long long)u->employee, status ? status : "?");
		sso_session_destroy_for_principal(r->app->rp, r->db, u->employee, NULL);
		session_cookie_set(r, NULL);
		json_decref(u->profile);
		sso_session_cleanup(&u->sess);
		memset(u, 0, sizeof(*u));
		return LV_EFORBIDDEN;
	}
	u->roles = app_roles_for_groups(r->app, json_object_get(u->profile, "groups"));
	r->user = u;
	return LV_OK;
}

int session_start(struct req *r, int64_t employee, const struct sso_identity *id)
{
	struct sso_session_token tok;
	int rc;

	rc = sso_session_create(r->app->rp, r->db, employee, id, &tok);
	if (rc == LV_OK)
		rc = session_cookie_set(r, tok.cookie);
	sodium_memzero(&tok, sizeof(tok));
	return rc;
}

int session_end(struct req *r, char **id_token)
{
	int rc = LV_OK;

	if (id_token)
		*id_token = NULL;
	if (r->user) {
		if (id_token && r->user->sess.id_token)
			*id_token = lv_strdup(r->user->sess.id_token);
		rc = sso_session_destroy(r->app->rp, r->db, r->user->cookie);
		/* from here on the request is anonymous */
		json_decref(r->user->profile);
		sso_session_cleanup(&r->user->sess);
		memset(r->user, 0, sizeof(*r->user));
		r->user = NULL;
	}
	session_cookie_set(r, NULL);
	return rc;
}

int session_csrf_check(const struct req *r, const char *token)
{
	if (r->user == NULL)
		return -1;
	return sso_csrf_check(&r->user->sess, token) == LV_OK ? 0 : -1;
}

/* Is lang one the theme can show? Returns the theme's own string. */
static const char *session_lang_known(const struct req *r, const char *lang)
{
	const char *const *codes;
	size_t i, n = 0;
	char base[3];

	if (lang == NULL || r->theme == NULL || strlen(lang) < 2)
		return NULL;
	base[0] = (char)(lang[0] | 0x20);
	base[1] = (char)(lang[1] | 0x20);
	base[2] = '\0';
	if (lang[2] != '\0' && lang[2] != '-' && lang[2] != '_')
		return NULL;
	codes = theme_languages(r->theme, &n);
	for (i = 0; i < n; i++)
		if (strcmp(codes[i], base) == 0)
			return codes[i];
	return NULL;
}

void session_pick_language(struct req *r)
{
	const char *lang = NULL;
	const char *const *codes;
	size_t n = 0;
	int i;

	if (r->user) {
		lang = session_lang_known(r, json_string_value(
			json_object_get(r->user->profile, "locale_choice")));
		if (lang == NULL)
			lang = session_lang_known(r, json_string_value(
				json_object_get(r->user->profile, "locale")));
	}
	if (lang == NULL && r->theme) {
		const char *al = req_header(r, "Accept-Language");

		codes = theme_languages(r->theme, &n);
		if (al && (i = lv_accept_language_pick(al, codes, n)) >= 0)
			lang = codes[i];
	}
	if (lang == NULL)
		lang = session_lang_known(r, r->app->cfg.default_locale);
	r->lang = lang ? lang : "en";
}
