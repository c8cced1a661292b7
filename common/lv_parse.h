/*
 * lv_parse.h - the one bounded number parser (Kore's kore_strtonum).
 *
 * atoi and friends are banned in Livery: they cannot say "that was not a
 * number" or "that number is out of range". Use these instead.
 */
#ifndef LV_PARSE_H
#define LV_PARSE_H

#include <stddef.h>
#include <stdint.h>

/*
 * Parses the whole of s (optional sign, decimal digits, nothing else, no
 * spaces) into *out when min <= value <= max. Returns LV_OK, or LV_EINVAL
 * (not a number) or LV_ETOOBIG (outside the range); *out is untouched then.
 */
int lv_parse_i64(const char *s, int64_t min, int64_t max, int64_t *out);

/* The same for the first n bytes of s (s need not be NUL-terminated). */
int lv_parse_i64n(const char *s, size_t n, int64_t min, int64_t max,
		  int64_t *out);

/* The value of hexadecimal digit c (0-9, a-f, A-F), or -1. */
int lv_hex_digit(char c);

#endif
