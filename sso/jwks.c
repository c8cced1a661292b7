/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * jwks.c - the provider's signing keys (the JWKS at jwks_uri), their cache,
 * and the choice of the key for a token.
 *
 * Only public-key signature keys are kept: RSA (at least 2048 bits) and EC
 * on P-256, P-384 and P-521. Symmetric ("oct") keys are never taken from a
 * JWKS, nor keys marked for encryption ("use": "enc") or whose key_ops do
 * not include "verify". A key that names an "alg" is used with that alg
 * only.
 *
 * A token names its key by kid. An unknown kid may mean the provider has
 * rotated its keys, so the JWKS is fetched again - at most once every
 * SSO_JWKS_REFETCH_SECONDS, so a stream of forged kids cannot make us hammer
 * the provider. Keys are also re-read when older than SSO_JWKS_MAX_AGE (so a
 * key the provider withdrew stops being trusted); if that fails, the old
 * keys stay in use. A token without kid is accepted only when exactly one
 * key could have signed it.
 */
#include <cjose/cjose.h>
#include <string.h>

#include "lv_err.h"
#include "lv_log.h"
#include "lv_mem.h"
#include "lv_time.h"
#include "sso_int.h"

struct sso_key {
	cjose_jwk_t *jwk;
	char *kid; /* NULL: none */
	char *alg; /* NULL: any alg that fits the key */
	cjose_jwk_kty_t kty;
	int crv; /* EC: a cjose_jwk_ec_curve */
};

void sso_keyset_release(struct sso_keyset *ks)
{
	size_t i;

	if (ks == NULL || atomic_fetch_sub(&ks->refs, 1) != 1)
		return;
	for (i = 0; i < ks->n; i++) {
		cjose_jwk_release(ks->keys[i].jwk);
		lv_free(ks->keys[i].kid);
		lv_free(ks->keys[i].alg);
	}
	lv_free(ks->keys);
	lv_free(ks);
}

static struct sso_keyset *keyset_retain(struct sso_keyset *ks)
{
	atomic_fetch_add(&ks->refs, 1);
	return ks;
}

/* 1 when the JWK's use and key_ops allow verifying signatures. */
static int jwk_for_signing(const json_t *k)
{
	const json_t *use = json_object_get(k, "use");
	const json_t *ops = json_object_get(k, "key_ops");
	size_t i;

	if (use && (!json_is_string(use) ||
		    strcmp(json_string_value(use), "sig") != 0))
		return 0;
	if (ops == NULL)
		return 1;
	if (!json_is_array(ops))
		return 0;
	for (i = 0; i < json_array_size(ops); i++) {
		const char *op = json_string_value(json_array_get(ops, i));

		if (op && strcmp(op, "verify") == 0)
			return 1;
	}
	return 0;
}

static int jwk_has_strings(const json_t *k, const char *a, const char *b,
			   const char *c)
{
	return json_is_string(json_object_get(k, a)) &&
	       json_is_string(json_object_get(k, b)) &&
	       (c == NULL || json_is_string(json_object_get(k, c)));
}

/* Imports one JWK into key; returns 1 when it is kept. */
static int key_import(const json_t *k, struct sso_key *key)
{
	const char *kty = json_string_value(json_object_get(k, "kty"));
	const json_t *kid = json_object_get(k, "kid");
	const json_t *alg = json_object_get(k, "alg");
	cjose_jwk_t *jwk = NULL;
	cjose_err cerr;

	if (!json_is_object(k) || kty == NULL || !jwk_for_signing(k))
		return 0;
	if ((kid && !json_is_string(kid)) || (alg && !json_is_string(alg)))
		return 0;
	if (strcmp(kty, "RSA") == 0) {
		if (!jwk_has_strings(k, "n", "e", NULL))
			return 0;
	} else if (strcmp(kty, "EC") == 0) {
		if (!jwk_has_strings(k, "crv", "x", "y"))
			return 0;
	} else {
		return 0; /* oct is never trusted; OKP is not supported */
	}
	jwk = cjose_jwk_import_json((cjose_header_t *)k, &cerr);
	if (jwk == NULL)
		return 0;
	key->kty = cjose_jwk_get_kty(jwk, &cerr);
	if (key->kty == CJOSE_JWK_KTY_RSA &&
	    cjose_jwk_get_keysize(jwk, &cerr) < SSO_RSA_MIN_BITS) {
		cjose_jwk_release(jwk);
		return 0;
	}
	if (key->kty == CJOSE_JWK_KTY_EC)
		key->crv = (int)cjose_jwk_EC_get_curve(jwk, &cerr);
	key->jwk = jwk;
	key->kid = kid ? lv_strdup(json_string_value(kid)) : NULL;
	key->alg = alg ? lv_strdup(json_string_value(alg)) : NULL;
	return 1;
}

int sso_keyset_parse(const json_t *doc, struct sso_keyset **out, char *detail,
		     size_t detaillen)
{
	const json_t *keys = json_object_get(doc, "keys");
	struct sso_keyset *ks;
	size_t i, n;

	*out = NULL;
	if (!json_is_array(keys)) {
		lv_snprintf(detail, detaillen, "the JWKS has no keys array");
		return LV_EINVAL;
	}
	n = json_array_size(keys);
	if (n > SSO_JWKS_KEYS_MAX)
		n = SSO_JWKS_KEYS_MAX;
	ks = lv_calloc(1, sizeof(*ks));
	atomic_init(&ks->refs, 1);
	ks->keys = lv_calloc(n ? n : 1, sizeof(*ks->keys));
	for (i = 0; i < n; i++)
		if (key_import(json_array_get(keys, i), &ks->keys[ks->n]))
			ks->n++;
	*out = ks;
	return LV_OK;
}

/* 1 when key may verify a signature made with alg. */
static int key_fits(const struct sso_key *key, const char *alg)
{
	if (key->alg && strcmp(key->alg, alg) != 0)
		return 0;
	if (strcmp(alg, "RS256") == 0 || strcmp(alg, "RS384") == 0 ||
	    strcmp(alg, "RS512") == 0 || strcmp(alg, "PS256") == 0 ||
	    strcmp(alg, "PS384") == 0 || strcmp(alg, "PS512") == 0)
		return key->kty == CJOSE_JWK_KTY_RSA;
	if (key->kty != CJOSE_JWK_KTY_EC)
		return 0;
	if (strcmp(alg, "ES256") == 0)
		return key->crv == CJOSE_JWK_EC_P_256;
	if (strcmp(alg, "ES384") == 0)
		return key->crv == CJOSE_JWK_EC_P_384;
	if (strcmp(alg, "ES512") == 0)
		return key->crv == CJOSE_JWK_EC_P_521;
	return 0;
}

enum sso_key_found sso_keyset_select(const struct sso_keyset *ks,
				     const char *alg, const char *kid,
				     void **jwk)
{
	const struct sso_key *found = NULL;
	size_t i, fitting = 0;
	int kid_seen = 0;

	*jwk = NULL;
	for (i = 0; ks && i < ks->n; i++) {
		const struct sso_key *key = &ks->keys[i];

		if (kid) {
			if (key->kid == NULL || strcmp(key->kid, kid) != 0)
				continue;
			kid_seen = 1;
		}
		if (!key_fits(key, alg))
			continue;
		if (found == NULL)
			found = key;
		fitting++;
	}
	if (found && (kid || fitting == 1)) {
		*jwk = found->jwk;
		return SSO_KEY_FOUND;
	}
	if (kid)
		return kid_seen ? SSO_KEY_WRONG_TYPE : SSO_KEY_NONE;
	return fitting > 1 ? SSO_KEY_AMBIGUOUS : SSO_KEY_NONE;
}

/* GETs and parses the JWKS (no lock held). */
static int keys_fetch(struct sso_rp *rp, const struct sso_provider *prov,
		      struct sso_keyset **out, char *detail, size_t detaillen)
{
	struct sso_http_request req = { .url = prov->jwks_uri };
	json_t *doc = NULL;
	long status = 0;
	int rc;

	*out = NULL;
	rc = sso_http_json(rp, &req, &status, &doc, detail, detaillen);
	if (rc != LV_OK) {
		rc = LV_EUNAVAIL;
		goto out;
	}
	if (status != 200) {
		lv_snprintf(detail, detaillen, "%s answered HTTP %ld",
			    prov->jwks_uri, status);
		rc = LV_EUNAVAIL;
		goto out;
	}
	rc = sso_keyset_parse(doc, out, detail, detaillen);
out:
	json_decref(doc);
	if (rc != LV_OK) {
		char q[300];

		lv_warn("sso_jwks", "result=failed detail=%s",
			lv_log_quote(q, sizeof(q), detail));
	}
	return rc;
}

/* Under rp->lock: 1 when the last fetch attempt is younger than age. */
static int attempted_within(const struct sso_rp *rp, int64_t age)
{
	int64_t now = lv_now();

	return rp->keys_attempt_at && now >= rp->keys_attempt_at &&
	       now - rp->keys_attempt_at < age;
}

/* Under rp->lock: 1 when the last unknown-kid re-fetch is younger than age. */
static int refreshed_within(const struct sso_rp *rp, int64_t age)
{
	int64_t now = lv_now();

	return rp->keys_refresh_at && now >= rp->keys_refresh_at &&
	       now - rp->keys_refresh_at < age;
}

/* Under rp->lock: 1 when the cached keys are fresh enough. */
static int keys_fresh(const struct sso_rp *rp)
{
	int64_t now = lv_now();

	return rp->keys && now >= rp->keys_fetched_at &&
	       now - rp->keys_fetched_at < SSO_JWKS_MAX_AGE;
}

/* Under rp->lock: installs ks (taking the caller's reference). */
static void keys_install(struct sso_rp *rp, struct sso_keyset *ks)
{
	sso_keyset_release(rp->keys);
	rp->keys = ks;
	rp->keys_fetched_at = lv_now();
}

int sso_keys_get(struct sso_rp *rp, const struct sso_provider *prov,
		 struct sso_keyset **out, char *detail, size_t detaillen)
{
	struct sso_keyset *ks = NULL;
	int rc = LV_OK;

	*out = NULL;
	pthread_mutex_lock(&rp->lock);
	if (keys_fresh(rp))
		*out = keyset_retain(rp->keys);
	pthread_mutex_unlock(&rp->lock);
	if (*out)
		return LV_OK;

	pthread_mutex_lock(&rp->fetch_lock);
	pthread_mutex_lock(&rp->lock);
	if (keys_fresh(rp) ||
	    (attempted_within(rp, SSO_JWKS_REFETCH_SECONDS) && rp->keys)) {
		*out = keyset_retain(rp->keys);
	} else if (attempted_within(rp, SSO_JWKS_REFETCH_SECONDS)) {
		lv_snprintf(detail, detaillen,
			    "the JWKS could not be fetched moments ago");
		rc = LV_EUNAVAIL;
	} else {
		rp->keys_attempt_at = lv_now();
	}
	pthread_mutex_unlock(&rp->lock);
	if (*out || rc != LV_OK)
		goto out;

	rc = keys_fetch(rp, prov, &ks, detail, detaillen);
	pthread_mutex_lock(&rp->lock);
	if (rc == LV_OK) {
		keys_install(rp, ks);
		*out = keyset_retain(ks);
	} else if (rp->keys) {
		*out = keyset_retain(rp->keys); /* stale beats none */
		rc = LV_OK;
	}
	pthread_mutex_unlock(&rp->lock);
out:
	pthread_mutex_unlock(&rp->fetch_lock);
	return rc;
}

int sso_keys_refresh(struct sso_rp *rp, const struct sso_provider *prov,
		     const struct sso_keyset *seen, struct sso_keyset **out)
{
	struct sso_keyset *ks = NULL;
	char detail[200];
	int rc = LV_ENOTFOUND, fetch = 0;

	*out = NULL;
	pthread_mutex_lock(&rp->fetch_lock);
	pthread_mutex_lock(&rp->lock);
	if (rp->keys && rp->keys != seen) {
		*out = keyset_retain(rp->keys); /* another thread refreshed */
		rc = LV_OK;
	} else if (!refreshed_within(rp, SSO_JWKS_REFETCH_SECONDS)) {
		/* Only re-fetches for unknown kids count against the limit: a key
		 * rotated moments after the regular fetch is still picked up. */
		rp->keys_attempt_at = lv_now();
		rp->keys_refresh_at = rp->keys_attempt_at;
		fetch = 1;
	}
	pthread_mutex_unlock(&rp->lock);
	if (!fetch)
		goto out;

	if (keys_fetch(rp, prov, &ks, detail, sizeof(detail)) == LV_OK) {
		pthread_mutex_lock(&rp->lock);
		keys_install(rp, ks);
		*out = keyset_retain(ks);
		pthread_mutex_unlock(&rp->lock);
		rc = LV_OK;
	}
out:
	pthread_mutex_unlock(&rp->fetch_lock);
	return rc;
}
