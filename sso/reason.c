/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * reason.c - the names and sentences of sign-in failures (see sso.h).
 *
 * The short names are an interface: logs, metrics and the error page's
 * data-reason attribute use them, and tests look for them, so they never
 * change. The sentences are for the person at the browser: what happened
 * and what to do, without internals.
 */
#include <stdio.h>
#include <string.h>

#include "lv_mem.h"
#include "sso_int.h"

struct reason_text {
	const char *name;
	const char *message;
};

#define MSG_VERIFY                                                             \
	"Your sign-in could not be verified. Please sign in again; if this "   \
	"keeps happening, tell your IT department."

static const struct reason_text reasons[SSO_R_COUNT] = {
	[SSO_R_NONE] = { "none", "You are signed in." },
	[SSO_R_DISCOVERY_FAILED] = { "discovery_failed",
		"The sign-in service cannot be reached right now. Please try "
		"again in a few minutes." },
	[SSO_R_ISSUER_MISMATCH] = { "issuer_mismatch",
		"Sign-in is not set up correctly on this store. Please tell "
		"your IT department." },
	[SSO_R_STATE_INVALID] = { "state_invalid",
		"The sign-in link has expired or was already used. Please "
		"sign in again." },
	[SSO_R_PROVIDER_ERROR] = { "provider_error",
		"The sign-in service did not sign you in. Please try again; "
		"if this keeps happening, tell your IT department." },
	[SSO_R_TOKEN_REQUEST_FAILED] = { "token_request_failed",
		"The sign-in could not be completed with the sign-in service. "
		"Please sign in again." },
	[SSO_R_ID_TOKEN_MISSING] = { "id_token_missing", MSG_VERIFY },
	[SSO_R_ID_TOKEN_MALFORMED] = { "id_token_malformed", MSG_VERIFY },
	[SSO_R_ALG_NOT_ALLOWED] = { "alg_not_allowed", MSG_VERIFY },
	[SSO_R_KEY_NOT_FOUND] = { "key_not_found", MSG_VERIFY },
	[SSO_R_SIGNATURE_INVALID] = { "signature_invalid", MSG_VERIFY },
	[SSO_R_ISS_INVALID] = { "iss_invalid", MSG_VERIFY },
	[SSO_R_AUD_INVALID] = { "aud_invalid", MSG_VERIFY },
	[SSO_R_AZP_INVALID] = { "azp_invalid", MSG_VERIFY },
	[SSO_R_EXP_INVALID] = { "exp_invalid",
		"Your sign-in had expired before it reached the store. Please "
		"sign in again; if this keeps happening, tell your IT "
		"department (a server clock may be wrong)." },
	[SSO_R_IAT_INVALID] = { "iat_invalid",
		"Your sign-in was too old or dated in the future. Please sign "
		"in again; if this keeps happening, tell your IT department "
		"(a server clock may be wrong)." },
	[SSO_R_NONCE_INVALID] = { "nonce_invalid",
		"The sign-in did not match the one this browser started. "
		"Please sign in again." },
	[SSO_R_SUB_MISSING] = { "sub_missing", MSG_VERIFY },
	[SSO_R_USERINFO_FAILED] = { "userinfo_failed",
		"Your profile could not be read from the sign-in service. "
		"Please try again in a few minutes." },
	[SSO_R_USERINFO_SUB_MISMATCH] = { "userinfo_sub_mismatch",
		MSG_VERIFY },
	[SSO_R_LOGOUT_TOKEN_INVALID] = { "logout_token_invalid",
		"The sign-out request was not valid." },
};

const char *sso_reason_name(enum sso_reason reason)
{
	if ((unsigned)reason >= SSO_R_COUNT)
		return "unknown";
	return reasons[reason].name;
}

const char *sso_reason_message(enum sso_reason reason)
{
	if ((unsigned)reason >= SSO_R_COUNT)
		return MSG_VERIFY;
	return reasons[reason].message;
}

void sso_error_clear(struct sso_error *err)
{
	if (err == NULL)
		return;
	err->reason = SSO_R_NONE;
	err->detail[0] = '\0';
	err->provider_error[0] = '\0';
	err->provider_description[0] = '\0';
}

void sso_fail(struct sso_error *err, enum sso_reason reason, const char *fmt,
	      ...)
{
	va_list ap;

	if (err == NULL)
		return;
	err->reason = reason;
	va_start(ap, fmt);
	/* Truncation is fine: the detail is for a log line. */
	if (vsnprintf(err->detail, sizeof(err->detail), fmt, ap) < 0)
		err->detail[0] = '\0';
	va_end(ap);
}
