/*
 * app.c - building and tearing down the application context (see app.h).
 */
#include "app.h"

#include <errno.h>
#include <jansson.h>
#include <sodium.h>
#include <string.h>
#include <sys/stat.h>

#include "lv_db.h"
#include "lv_err.h"
#include "lv_log.h"
#include "lv_mem.h"
#include "policy_runtime.h"
#include "sso.h"
#include "theme.h"

/* Builds the relying party from [oidc]. */
static int app_rp_new(struct livery *app, char *msg, size_t msglen)
{
	struct sso_config sc;
	char redirect[1024], post_logout[1024];
	const char *h;

	sso_config_init(&sc);
	lv_snprintf(redirect, sizeof(redirect), "%s%s", app->cfg.public_url,
		    app->cfg.redirect_path);
	lv_snprintf(post_logout, sizeof(post_logout), "%s%s", app->cfg.public_url,
		    app->cfg.post_logout_redirect_path);
	sc.issuer = app->cfg.issuer;
	sc.client_id = app->cfg.client_id;
	sc.client_secret = app->cfg.client_secret;
	sc.scope = app->cfg.scope;
	sc.redirect_uri = redirect;
	sc.post_logout_redirect_uri = post_logout;
	sc.iat_slack_seconds = app->cfg.iat_slack_seconds;
	sc.session_idle_seconds = app->cfg.session_idle_seconds;
	sc.session_max_seconds = app->cfg.session_max_seconds;
	sc.http_timeout_seconds = app->cfg.http_timeout_seconds;
	/* The config reader allows http:// only for a loopback issuer. */
	h = app->cfg.issuer;
	sc.allow_http = h && strncmp(h, "http://", 7) == 0;
	return sso_rp_new(&sc, &app->rp, msg, msglen);
}

int app_theme_load(struct livery *app, char *msg, size_t msglen)
{
	struct theme_params p;
	struct theme *t = NULL, *old;
	int rc;

	memset(&p, 0, sizeof(p));
	p.themes_dir = app->cfg.themes_dir;
	p.theme = app->cfg.theme;
	p.locale_dir = app->cfg.locale_dir;
	p.primary = app->cfg.primary_color;
	p.accent = app->cfg.accent_color;
	p.logo = app->cfg.logo;
	rc = theme_load(&p, &t, msg, msglen);
	if (rc == LV_OK) {
		pthread_mutex_lock(&app->theme_lock);
		old = app->theme_previous;
		app->theme_previous = app->theme_current;
		app->theme_current = t;
		pthread_mutex_unlock(&app->theme_lock);
		theme_unref(old); /* freed now, or by the last request using it */
	}
	return rc;
}

struct theme *app_theme_get(struct livery *app)
{
	struct theme *t;

	pthread_mutex_lock(&app->theme_lock);
	t = theme_ref(app->theme_current);
	pthread_mutex_unlock(&app->theme_lock);
	return t;
}

struct theme *app_theme_previous_get(struct livery *app)
{
	struct theme *t;

	pthread_mutex_lock(&app->theme_lock);
	t = theme_ref(app->theme_previous);
	pthread_mutex_unlock(&app->theme_lock);
	return t;
}

int app_new(const char *config_path, int for_serve, struct livery **out,
	    char *msg, size_t msglen)
{
	struct livery *app = lv_calloc(1, sizeof(*app));
	unsigned char rnd[4];
	enum lv_log_level level;
	int rc;

	*out = NULL;
	pthread_mutex_init(&app->theme_lock, NULL);
	rc = lv_config_load(&app->cfg, config_path, for_serve, msg, msglen);
	if (rc != LV_OK)
		goto out;
	if (lv_log_level_parse(app->cfg.log_level, &level) == 0)
		lv_log_set_level(level);
	randombytes_buf(rnd, sizeof(rnd));
	sodium_bin2hex(app->instance, sizeof(app->instance), rnd, sizeof(rnd));
	policy_runtime_new(&app->policies);
	if (for_serve) {
		rc = app_rp_new(app, msg, msglen);
		if (rc != LV_OK)
			goto out;
		rc = app_theme_load(app, msg, msglen);
		if (rc != LV_OK)
			goto out;
	}
	*out = app;
	app = NULL;
out:
	app_free(app);
	return rc;
}

void app_free(struct livery *app)
{
	if (app == NULL)
		return;
	sso_rp_free(app->rp);
	theme_unref(app->theme_current);
	theme_unref(app->theme_previous);
	pthread_mutex_destroy(&app->theme_lock);
	policy_runtime_free(app->policies);
	lv_config_cleanup(&app->cfg);
	lv_free(app);
}

int app_policies_load(struct livery *app, struct lv_db *db, char *msg, size_t msglen)
{
	struct policy_errors errs;
	size_t i, used = 0;
	int rc;

	policy_errors_init(&errs);
	/* the rows and their generation (migration 0008) in one read, so
	 * that the maintenance thread knows which changes the set has seen */
	rc = policy_runtime_load(app->policies, db, &errs);
	if (rc == LV_EINTERNAL) {
		lv_snprintf(msg, msglen, "the catalog policies could not be read from the "
			    "database (the log says why)");
	} else if (rc != LV_OK) {
		int n = lv_snprintf(msg, msglen, "the stored catalog policies do not load "
				    "(check them with livery policy export and check):");

		used = n < 0 ? msglen : (size_t)n;
		for (i = 0; i < errs.n && used < msglen; i++) {
			n = lv_snprintf(msg + used, msglen - used, " %s: %s: %s;",
					errs.v[i].origin, errs.v[i].path, errs.v[i].message);
			if (n < 0)
				break;
			used += (size_t)n;
		}
	}
	policy_errors_cleanup(&errs);
	return rc;
}

int app_db_open(struct livery *app, int create, struct lv_db **db, char *msg,
		size_t msglen)
{
	if (create && mkdir(app->cfg.data_dir, 0750) != 0 && errno != EEXIST) {
		lv_snprintf(msg, msglen, "cannot create server.data_dir %s: %s",
			    app->cfg.data_dir, strerror(errno));
		*db = NULL;
		return LV_EUNAVAIL;
	}
	return lv_db_open(app->cfg.db_path, create, (int)app->cfg.busy_timeout_ms, db,
			  msg, msglen);
}

/* Is group one of the comma-separated names in list? */
static int app_group_listed(const char *list, const char *group)
{
	size_t n = strlen(group);
	const char *p = list;

	while (p && *p) {
		const char *end = strchr(p, ',');
		const char *s = p, *e = end ? end : p + strlen(p);

		while (s < e && (*s == ' ' || *s == '\t'))
			s++;
		while (e > s && (e[-1] == ' ' || e[-1] == '\t'))
			e--;
		if ((size_t)(e - s) == n && n > 0 && strncmp(s, group, n) == 0)
			return 1;
		p = end ? end + 1 : NULL;
	}
	return 0;
}

unsigned app_roles_for_groups(const struct livery *app, const void *groups_json)
{
	const json_t *groups = groups_json;
	json_t *g;
	unsigned roles = 0;
	size_t i;

	json_array_foreach(groups, i, g) {
		const char *s = json_string_value(g);

		if (s == NULL)
			continue;
		if (app_group_listed(app->cfg.role_hr_admin, s))
			roles |= LV_ROLE_HR_ADMIN;
		if (app_group_listed(app->cfg.role_store_admin, s))
			roles |= LV_ROLE_STORE_ADMIN;
		if (app_group_listed(app->cfg.role_approver, s))
			roles |= LV_ROLE_APPROVER;
		if (app_group_listed(app->cfg.role_auditor, s))
			roles |= LV_ROLE_AUDITOR;
	}
	return roles;
}
