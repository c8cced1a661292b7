/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * rp.c - the relying party object: its configuration (checked once, at
 * start), its caches and their lock, and the one-time set-up of the
 * libraries it uses (libsodium, and liboauth2 for HTTP, whose messages are
 * routed into lv_log at warning level so that its debug output, which
 * contains request bodies and tokens, is never written).
 */
#include <oauth2/log.h>
#include <oauth2/util.h>
#include <pthread.h>
#include <sodium.h>
#include <string.h>

#include "lv_err.h"
#include "lv_log.h"
#include "lv_mem.h"
#include "sso_int.h"

#define SSO_DEFAULT_SCOPE "openid profile email"

static pthread_once_t libs_once = PTHREAD_ONCE_INIT;
static int libs_ok;
static oauth2_log_t *libs_log; /* liboauth2's global log, kept for good */

/* liboauth2 -> lv_log; only warnings and errors reach here. */
static void rp_oauth2_sink(oauth2_log_sink_t *sink, const char *filename,
			   unsigned long line, const char *function,
			   oauth2_log_level_t level, const char *msg)
{
	char q[512];

	lv_log(level == OAUTH2_LOG_ERROR ? LV_LOG_ERROR : LV_LOG_WARN,
	       "sso_liboauth2", "function=%s msg=%s", function ? function : "?",
	       lv_log_quote(q, sizeof(q), msg));
}

/*
 * Process-wide, once: libsodium, and liboauth2's globals (curl and OpenSSL
 * initialisation), released by sso_libs_shutdown() at process end.
 */
static void rp_libs_init(void)
{
	if (sodium_init() < 0)
		return;
	libs_log = oauth2_init(OAUTH2_LOG_WARN,
			       oauth2_log_sink_create(OAUTH2_LOG_WARN,
						      rp_oauth2_sink, NULL));
	libs_ok = libs_log != NULL;
}

void sso_libs_shutdown(void)
{
	if (libs_log != NULL)
		oauth2_shutdown(libs_log);
	libs_log = NULL;
	libs_ok = 0;
}

void sso_config_init(struct sso_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->scope = SSO_DEFAULT_SCOPE;
	cfg->iat_slack_seconds = 120;
	cfg->session_idle_seconds = 1800;
	cfg->session_max_seconds = 43200;
	cfg->http_timeout_seconds = 10;
}

static char *dup_or_null(const char *s)
{
	return s ? lv_strdup(s) : NULL;
}

/* 1 when the space-separated scope list contains "openid". */
static int scope_has_openid(const char *scope)
{
	const char *p = scope;

	while (*p) {
		size_t n;

		while (*p == ' ')
			p++;
		n = strcspn(p, " ");
		if (n == 6 && strncmp(p, "openid", 6) == 0)
			return 1;
		p += n;
	}
	return 0;
}

static int has_ctl(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x21 || *s == 0x7f)
			return 1;
	return 0;
}

/* Checks one absolute URL setting. */
static int config_url_check(const char *name, const char *v, int allow_http,
			    char *msg, size_t msglen)
{
	if (v == NULL || v[0] == '\0') {
		lv_snprintf(msg, msglen, "oidc: %s is required", name);
		return LV_EINVAL;
	}
	if (strlen(v) > SSO_URL_MAX || has_ctl(v) || strchr(v, '#') ||
	    !sso_url_allowed(v, allow_http)) {
		lv_snprintf(msg, msglen,
			    "oidc: %s must be an absolute %s URL without "
			    "spaces or fragment (at most %d characters)",
			    name, allow_http ? "http(s)" : "https", SSO_URL_MAX);
		return LV_EINVAL;
	}
	return LV_OK;
}

static int config_check(const struct sso_config *c, char *msg, size_t msglen)
{
	const char *scope = c->scope ? c->scope : SSO_DEFAULT_SCOPE;
	int rc;

	rc = config_url_check("issuer", c->issuer, c->allow_http, msg, msglen);
	if (rc == LV_OK && strchr(c->issuer, '?')) {
		lv_snprintf(msg, msglen, "oidc: issuer must not have a query");
		rc = LV_EINVAL;
	}
	if (rc == LV_OK)
		rc = config_url_check("redirect_uri", c->redirect_uri, 1, msg,
				      msglen);
	if (rc == LV_OK && c->post_logout_redirect_uri)
		rc = config_url_check("post_logout_redirect_uri",
				      c->post_logout_redirect_uri, 1, msg,
				      msglen);
	if (rc != LV_OK)
		return rc;
	if (c->client_id == NULL || c->client_id[0] == '\0' ||
	    strlen(c->client_id) > 1024) {
		lv_snprintf(msg, msglen, "oidc: client_id is required");
		return LV_EINVAL;
	}
	if (c->client_secret == NULL || c->client_secret[0] == '\0' ||
	    strlen(c->client_secret) > 1024) {
		lv_snprintf(msg, msglen, "oidc: client_secret is required");
		return LV_EINVAL;
	}
	if (!scope_has_openid(scope) || strlen(scope) > 1024) {
		lv_snprintf(msg, msglen, "oidc: scope must include openid");
		return LV_EINVAL;
	}
	if (c->iat_slack_seconds < 0 || c->iat_slack_seconds > 86400 ||
	    c->session_idle_seconds < 1 || c->session_max_seconds < 1 ||
	    c->http_timeout_seconds < 1 || c->http_timeout_seconds > 600) {
		lv_snprintf(msg, msglen,
			    "oidc: a time setting is out of range (slack "
			    "0..86400, timeouts >= 1, http timeout <= 600)");
		return LV_EINVAL;
	}
	return LV_OK;
}

int sso_rp_new(const struct sso_config *cfg, struct sso_rp **out, char *msg,
	       size_t msglen)
{
	struct sso_rp *rp = NULL;
	struct lv_buf url;
	size_t n;
	int rc;

	*out = NULL;
	pthread_once(&libs_once, rp_libs_init);
	if (!libs_ok) {
		lv_snprintf(msg, msglen, "oidc: libsodium or liboauth2 failed "
					 "to initialise");
		return LV_EINTERNAL;
	}
	rc = config_check(cfg, msg, msglen);
	if (rc != LV_OK)
		return rc;

	rp = lv_calloc(1, sizeof(*rp));
	rp->cfg = *cfg;
	rp->cfg.issuer = lv_strdup(cfg->issuer);
	rp->cfg.client_id = lv_strdup(cfg->client_id);
	rp->cfg.client_secret = lv_strdup(cfg->client_secret);
	rp->cfg.scope = lv_strdup(cfg->scope ? cfg->scope : SSO_DEFAULT_SCOPE);
	rp->cfg.redirect_uri = lv_strdup(cfg->redirect_uri);
	rp->cfg.post_logout_redirect_uri =
		dup_or_null(cfg->post_logout_redirect_uri);
	rp->cfg.ca_file = dup_or_null(cfg->ca_file);

	/* issuer "https://idp/realm/" -> "https://idp/realm/.well-known/..." */
	lv_buf_init(&url, SSO_URL_MAX + 64);
	n = strlen(cfg->issuer);
	if (n > 0 && cfg->issuer[n - 1] == '/')
		n--;
	lv_buf_append(&url, cfg->issuer, n);
	lv_buf_append_str(&url, "/.well-known/openid-configuration");
	rp->discovery_url = lv_buf_take(&url);

	rp->http = sso_http_oauth2;
	rp->http_arg = rp;
	rp->olog = oauth2_log_init(OAUTH2_LOG_WARN,
				   oauth2_log_sink_create(OAUTH2_LOG_WARN,
							  rp_oauth2_sink,
							  NULL));
	pthread_mutex_init(&rp->lock, NULL);
	pthread_mutex_init(&rp->fetch_lock, NULL);
	*out = rp;
	return LV_OK;
}

/* Drops the cached metadata; the caller holds rp->lock. */
static void rp_cache_drop(struct sso_rp *rp)
{
	sso_provider_release(rp->provider);
	rp->provider = NULL;
	sso_keyset_release(rp->keys);
	rp->keys = NULL;
	rp->discovery_failed_at = 0;
	rp->keys_fetched_at = 0;
	rp->keys_attempt_at = 0;
}

void sso_rp_set_http(struct sso_rp *rp, sso_http_fn fn, void *arg)
{
	pthread_mutex_lock(&rp->lock);
	rp->http = fn ? fn : sso_http_oauth2;
	rp->http_arg = fn ? arg : rp;
	rp_cache_drop(rp);
	pthread_mutex_unlock(&rp->lock);
}

void sso_rp_free(struct sso_rp *rp)
{
	if (rp == NULL)
		return;
	rp_cache_drop(rp);
	pthread_mutex_destroy(&rp->lock);
	pthread_mutex_destroy(&rp->fetch_lock);
	oauth2_log_free(rp->olog);
	lv_free(rp->discovery_url);
	lv_free((char *)rp->cfg.issuer);
	lv_free((char *)rp->cfg.client_id);
	if (rp->cfg.client_secret)
		sodium_memzero((char *)rp->cfg.client_secret,
			       strlen(rp->cfg.client_secret));
	lv_free((char *)rp->cfg.client_secret);
	lv_free((char *)rp->cfg.scope);
	lv_free((char *)rp->cfg.redirect_uri);
	lv_free((char *)rp->cfg.post_logout_redirect_uri);
	lv_free((char *)rp->cfg.ca_file);
	lv_free(rp);
}

int sso_rp_discover(struct sso_rp *rp, struct sso_error *err)
{
	struct sso_provider *prov = NULL;
	struct sso_keyset *ks = NULL;
	char detail[200];
	int rc;

	sso_error_clear(err);
	rc = sso_provider_get(rp, &prov, err);
	if (rc != LV_OK)
		goto out;
	rc = sso_keys_get(rp, prov, &ks, detail, sizeof(detail));
	if (rc != LV_OK) {
		sso_fail(err, SSO_R_DISCOVERY_FAILED, "%s", detail);
		rc = LV_EUNAVAIL;
	}
out:
	sso_keyset_release(ks);
	sso_provider_release(prov);
	return rc;
}
