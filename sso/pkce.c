/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * pkce.c - the relying party's secrets: random values (state, nonce, PKCE
 * code_verifier, session ids, CSRF tokens), the PKCE S256 challenge
 * (RFC 7636), the hash under which a secret is stored, and constant-time
 * comparison.
 *
 * Every random value is 32 bytes from libsodium's CSPRNG, written as 43
 * base64url characters; that is also a valid PKCE verifier (43..128
 * characters of the unreserved set).
 */
#include <sodium.h>
#include <string.h>

#include "lv_err.h"
#include "sso_int.h"

void sso_random_token(char *out, size_t outlen)
{
	unsigned char raw[32];

	randombytes_buf(raw, sizeof(raw));
	sso_b64url_encode(out, outlen, raw, sizeof(raw));
	sodium_memzero(raw, sizeof(raw));
}

void sso_pkce_challenge(const char *verifier, char *out, size_t outlen)
{
	unsigned char digest[crypto_hash_sha256_BYTES];

	crypto_hash_sha256(digest, (const unsigned char *)verifier,
			   strlen(verifier));
	sso_b64url_encode(out, outlen, digest, sizeof(digest));
}

void sso_secret_hash(const char *secret, unsigned char out[32])
{
	crypto_generichash(out, 32, (const unsigned char *)secret,
			   strlen(secret), NULL, 0);
}

int sso_str_equal_ct(const char *a, const char *b)
{
	size_t n;

	if (a == NULL || b == NULL)
		return 0;
	n = strlen(a);
	if (n != strlen(b))
		return 0;
	return sodium_memcmp(a, b, n) == 0;
}
