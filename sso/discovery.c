/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * discovery.c - OpenID Connect Discovery: the provider's metadata document
 * at issuer + "/.well-known/openid-configuration".
 *
 * The document's issuer must equal the configured issuer exactly, byte for
 * byte (a trailing slash is part of the issuer); otherwise the provider is
 * refused with issuer_mismatch. Every endpoint must be an https URL (http
 * only when the configuration allows it, for loopback tests).
 *
 * The metadata is fetched once and kept for the life of the process as an
 * immutable, reference-counted struct sso_provider, so a request can use
 * it without holding the lock. When the provider is down at start, the
 * store still starts: the next sign-in tries again (not more often than
 * every SSO_DISCOVERY_RETRY_SECONDS, so a dead provider does not make every
 * request wait for a timeout). One thread fetches at a time.
 */
#include <string.h>

#include "lv_err.h"
#include "lv_log.h"
#include "lv_mem.h"
#include "lv_time.h"
#include "sso_int.h"

void sso_provider_release(struct sso_provider *p)
{
	if (p == NULL || atomic_fetch_sub(&p->refs, 1) != 1)
		return;
	lv_free(p->issuer);
	lv_free(p->authorization_endpoint);
	lv_free(p->token_endpoint);
	lv_free(p->userinfo_endpoint);
	lv_free(p->jwks_uri);
	lv_free(p->end_session_endpoint);
	json_decref(p->algs);
	lv_free(p);
}

static struct sso_provider *provider_retain(struct sso_provider *p)
{
	atomic_fetch_add(&p->refs, 1);
	return p;
}

/*
 * Reads the endpoint called name. OUT: *out (lv_free), NULL when absent
 * and not required. Returns LV_OK or LV_EINVAL with err set.
 */
static int doc_url(const struct sso_rp *rp, const json_t *doc,
		   const char *name, int required, char **out,
		   struct sso_error *err)
{
	const json_t *v = json_object_get(doc, name);
	const char *s;
	size_t i;

	*out = NULL;
	if (v == NULL || json_is_null(v)) {
		if (!required)
			return LV_OK;
		sso_fail(err, SSO_R_DISCOVERY_FAILED,
			 "discovery document has no %s", name);
		return LV_EINVAL;
	}
	s = json_string_value(v);
	if (s == NULL || strlen(s) > SSO_URL_MAX ||
	    !sso_url_allowed(s, rp->cfg.allow_http))
		goto bad;
	for (i = 0; s[i]; i++)
		if ((unsigned char)s[i] <= 0x20 || s[i] == 0x7f ||
		    s[i] == '#')
			goto bad;
	*out = lv_strdup(s);
	return LV_OK;
bad:
	sso_fail(err, SSO_R_DISCOVERY_FAILED,
		 "discovery document: %s is not an %s URL without spaces or "
		 "fragment",
		 name, rp->cfg.allow_http ? "http(s)" : "https");
	return LV_EINVAL;
}

int sso_provider_parse(const struct sso_rp *rp, const json_t *doc,
		       struct sso_provider **out, struct sso_error *err)
{
	struct sso_provider *p = NULL;
	const json_t *algs;
	const char *iss;
	char got[128], want[128];
	size_t i;
	int rc = LV_EINVAL;

	*out = NULL;
	iss = json_string_value(json_object_get(doc, "issuer"));
	if (iss == NULL) {
		sso_fail(err, SSO_R_DISCOVERY_FAILED,
			 "discovery document has no issuer");
		goto out;
	}
	if (strcmp(iss, rp->cfg.issuer) != 0) {
		sso_fail(err, SSO_R_ISSUER_MISMATCH,
			 "discovery document says issuer \"%s\", configured "
			 "is \"%s\"",
			 sso_text_clean(got, sizeof(got), iss),
			 sso_text_clean(want, sizeof(want), rp->cfg.issuer));
		goto out;
	}
	p = lv_calloc(1, sizeof(*p));
	atomic_init(&p->refs, 1);
	p->issuer = lv_strdup(iss);
	if (doc_url(rp, doc, "authorization_endpoint", 1,
		    &p->authorization_endpoint, err) != LV_OK ||
	    doc_url(rp, doc, "token_endpoint", 1, &p->token_endpoint, err) !=
		    LV_OK ||
	    doc_url(rp, doc, "jwks_uri", 1, &p->jwks_uri, err) != LV_OK ||
	    doc_url(rp, doc, "userinfo_endpoint", 0, &p->userinfo_endpoint,
		    err) != LV_OK ||
	    doc_url(rp, doc, "end_session_endpoint", 0,
		    &p->end_session_endpoint, err) != LV_OK)
		goto out;

	algs = json_object_get(doc, "id_token_signing_alg_values_supported");
	if (algs && !json_is_null(algs)) {
		if (!json_is_array(algs) || json_array_size(algs) > 64)
			goto bad_algs;
		for (i = 0; i < json_array_size(algs); i++)
			if (!json_is_string(json_array_get(algs, i)))
				goto bad_algs;
		p->algs = json_deep_copy(algs);
	}
	p->iss_param_supported = json_is_true(json_object_get(
		doc, "authorization_response_iss_parameter_supported"));
	*out = p;
	p = NULL;
	rc = LV_OK;
	goto out;
bad_algs:
	sso_fail(err, SSO_R_DISCOVERY_FAILED,
		 "discovery document: id_token_signing_alg_values_supported "
		 "is not a list of names");
out:
	sso_provider_release(p);
	return rc;
}

/* Fetches and parses the document (no lock held). */
static int provider_fetch(struct sso_rp *rp, struct sso_provider **out,
			  struct sso_error *err)
{
	struct sso_http_request req = { .url = rp->discovery_url };
	char detail[200];
	json_t *doc = NULL;
	long status = 0;
	int rc;

	rc = sso_http_json(rp, &req, &status, &doc, detail, sizeof(detail));
	if (rc != LV_OK) {
		sso_fail(err, SSO_R_DISCOVERY_FAILED, "%s", detail);
		goto out;
	}
	if (status != 200) {
		sso_fail(err, SSO_R_DISCOVERY_FAILED, "%s answered HTTP %ld",
			 rp->discovery_url, status);
		rc = LV_EUNAVAIL;
		goto out;
	}
	rc = sso_provider_parse(rp, doc, out, err);
out:
	json_decref(doc);
	return rc == LV_OK ? LV_OK : LV_EUNAVAIL;
}

/*
 * Under rp->lock: hands out the cached provider, or the recent failure.
 * Returns LV_OK (found), LV_EUNAVAIL (failed recently) or LV_ENOTFOUND
 * (fetch now).
 */
static int provider_cached(struct sso_rp *rp, struct sso_provider **out,
			   struct sso_error *err)
{
	if (rp->provider) {
		*out = provider_retain(rp->provider);
		return LV_OK;
	}
	if (rp->discovery_failed_at &&
	    lv_now() - rp->discovery_failed_at < SSO_DISCOVERY_RETRY_SECONDS &&
	    lv_now() >= rp->discovery_failed_at) {
		if (err)
			*err = rp->discovery_err;
		return LV_EUNAVAIL;
	}
	return LV_ENOTFOUND;
}

int sso_provider_get(struct sso_rp *rp, struct sso_provider **out,
		     struct sso_error *err)
{
	struct sso_provider *p = NULL;
	struct sso_error e;
	char q[300];
	int rc;

	*out = NULL;
	pthread_mutex_lock(&rp->lock);
	rc = provider_cached(rp, out, err);
	pthread_mutex_unlock(&rp->lock);
	if (rc != LV_ENOTFOUND)
		return rc;

	pthread_mutex_lock(&rp->fetch_lock);
	pthread_mutex_lock(&rp->lock);
	rc = provider_cached(rp, out, err);
	pthread_mutex_unlock(&rp->lock);
	if (rc != LV_ENOTFOUND)
		goto out;

	sso_error_clear(&e);
	rc = provider_fetch(rp, &p, &e);
	pthread_mutex_lock(&rp->lock);
	if (rc == LV_OK) {
		rp->provider = p;
		rp->discovery_failed_at = 0;
		*out = provider_retain(p);
	} else {
		rp->discovery_failed_at = lv_now();
		rp->discovery_err = e;
		if (err)
			*err = e;
	}
	pthread_mutex_unlock(&rp->lock);
	if (rc == LV_OK)
		lv_info("sso_discovery", "issuer=%s result=ok",
			lv_log_quote(q, sizeof(q), rp->cfg.issuer));
	else
		lv_warn("sso_discovery", "reason=%s detail=%s",
			sso_reason_name(e.reason),
			lv_log_quote(q, sizeof(q), e.detail));
out:
	pthread_mutex_unlock(&rp->fetch_lock);
	return rc;
}
