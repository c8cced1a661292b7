/*
 * lv_parse.c - bounded decimal parsing (see lv_parse.h).
 */
#include "lv_parse.h"

#include <string.h>

#include "lv_err.h"

int lv_parse_i64n(const char *s, size_t n, int64_t min, int64_t max,
		  int64_t *out)
{
	size_t i = 0;
	int neg = 0;
	uint64_t v = 0, limit;

	if (n == 0)
		return LV_EINVAL;
	if (s[0] == '-' || s[0] == '+') {
		neg = s[0] == '-';
		i = 1;
	}
	if (i == n)
		return LV_EINVAL;
	limit = neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX;
	for (; i < n; i++) {
		unsigned d;

		if (s[i] < '0' || s[i] > '9')
			return LV_EINVAL;
		d = (unsigned)(s[i] - '0');
		if (v > (limit - d) / 10) {
			/* keep scanning so that "12x99999999999999999999" is EINVAL */
			for (; i < n; i++)
				if (s[i] < '0' || s[i] > '9')
					return LV_EINVAL;
			return LV_ETOOBIG;
		}
		v = v * 10 + d;
	}
	if (neg) {
		int64_t sv = v == (uint64_t)INT64_MAX + 1 ? INT64_MIN : -(int64_t)v;
		if (sv < min || sv > max)
			return LV_ETOOBIG;
		*out = sv;
	} else {
		if ((int64_t)v < min || (int64_t)v > max)
			return LV_ETOOBIG;
		*out = (int64_t)v;
	}
	return LV_OK;
}

int lv_parse_i64(const char *s, int64_t min, int64_t max, int64_t *out)
{
	return lv_parse_i64n(s, strlen(s), min, max, out);
}

int lv_hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}
