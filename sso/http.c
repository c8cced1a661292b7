/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * http.c - talking to the identity provider: the default transport over
 * liboauth2's HTTP calls, and the one way the rest of sso/ reads a JSON
 * answer (bounded, status reported, body checked to be a JSON object).
 *
 * liboauth2's oauth2_http_call() verifies TLS by default, follows up to
 * five redirects, bounds a body to 1 MiB and applies one timeout to the
 * whole request (connection included); we set the timeout from the
 * configuration and bound bodies again, lower, here. It does not report
 * the answer's Content-Type, so "JSON content" is checked by parsing. Its
 * debug log contains request bodies and tokens: rp.c keeps it at warning
 * level. Proxies come from curl's usual environment (https_proxy,
 * no_proxy).
 */
#include <oauth2/http.h>
#include <oauth2/mem.h>
#include <sodium.h>
#include <stdbool.h>
#include <string.h>

#include "lv_err.h"
#include "lv_mem.h"
#include "sso_int.h"

int sso_http_oauth2(void *arg, const struct sso_http_request *req,
		    struct sso_http_response *resp, char *detail,
		    size_t detaillen)
{
	struct sso_rp *rp = arg;
	oauth2_log_t *log = rp->olog;
	oauth2_http_call_ctx_t *ctx = NULL;
	oauth2_http_status_code_t status = 0;
	char *body = NULL;
	int rc = LV_EUNAVAIL;

	if (!sso_url_allowed(req->url, rp->cfg.allow_http)) {
		lv_snprintf(detail, detaillen, "refusing to call a non-https "
					       "URL");
		goto out;
	}
	ctx = oauth2_http_call_ctx_init(log);
	if (ctx == NULL) {
		lv_snprintf(detail, detaillen, "cannot set up an HTTP call");
		goto out;
	}
	oauth2_http_call_ctx_timeout_set(log, ctx,
					 (int)rp->cfg.http_timeout_seconds);
	oauth2_http_call_ctx_ssl_verify_set(log, ctx, true);
	if (rp->cfg.ca_file)
		oauth2_http_call_ctx_ca_info_set(log, ctx,
						 (char *)rp->cfg.ca_file);
	oauth2_http_call_ctx_hdr_set(log, ctx, OAUTH2_HTTP_HDR_ACCEPT,
				     OAUTH2_CONTENT_TYPE_JSON);
	if (req->form)
		oauth2_http_call_ctx_hdr_set(log, ctx,
					     OAUTH2_HTTP_HDR_CONTENT_TYPE,
					     OAUTH2_CONTENT_TYPE_FORM_ENCODED);
	if (req->authorization)
		oauth2_http_call_ctx_hdr_set(log, ctx,
					     OAUTH2_HTTP_HDR_AUTHORIZATION,
					     req->authorization);

	if (!oauth2_http_call(log, req->url, req->form, ctx, &body, &status) ||
	    body == NULL) {
		lv_snprintf(detail, detaillen, "%s %s",
			    status == 504 ? "timed out calling"
					  : "cannot reach",
			    req->url);
		goto out;
	}
	resp->status = (long)status;
	if (lv_buf_append(&resp->body, body, strlen(body)) != LV_OK) {
		lv_snprintf(detail, detaillen,
			    "%s answered with more than %zu bytes", req->url,
			    resp->body.max);
		rc = LV_ETOOBIG;
		goto out;
	}
	rc = LV_OK;
out:
	if (body) {
		sodium_memzero(body, strlen(body));
		oauth2_mem_free(body);
	}
	oauth2_http_call_ctx_free(log, ctx);
	return rc;
}

int sso_http_json(struct sso_rp *rp, const struct sso_http_request *req,
		  long *status, json_t **json, char *detail, size_t detaillen)
{
	struct sso_http_response resp;
	json_error_t jerr;
	sso_http_fn fn;
	void *arg;
	json_t *doc = NULL;
	int rc;

	*status = 0;
	*json = NULL;
	pthread_mutex_lock(&rp->lock);
	fn = rp->http;
	arg = rp->http_arg;
	pthread_mutex_unlock(&rp->lock);

	resp.status = 0;
	lv_buf_init(&resp.body, SSO_DOC_MAX);
	rc = fn(arg, req, &resp, detail, detaillen);
	if (rc != LV_OK)
		goto out;
	*status = resp.status;
	doc = json_loadb(lv_buf_str(&resp.body), resp.body.len,
			 JSON_REJECT_DUPLICATES, &jerr);
	if (doc == NULL || !json_is_object(doc)) {
		lv_snprintf(detail, detaillen,
			    "%s answered HTTP %ld with a body that is not a "
			    "JSON object",
			    req->url, resp.status);
		rc = LV_EINVAL;
		goto out;
	}
	*json = doc;
	doc = NULL;
out:
	json_decref(doc);
	if (resp.body.data)
		sodium_memzero(resp.body.data, resp.body.len);
	lv_buf_cleanup(&resp.body);
	return rc;
}
