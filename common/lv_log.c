/*
 * lv_log.c - structured one-line logging (see lv_log.h).
 */
#include "lv_log.h"

#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static atomic_int log_level = LV_LOG_INFO;

static const char *const level_names[] = { "debug", "info", "warn", "error" };

void lv_log_set_level(enum lv_log_level level)
{
	atomic_store(&log_level, (int)level);
}

int lv_log_level_parse(const char *s, enum lv_log_level *out)
{
	int i;

	for (i = 0; i < 4; i++) {
		if (strcmp(s, level_names[i]) == 0) {
			*out = (enum lv_log_level)i;
			return 0;
		}
	}
	return -1;
}

void lv_log(enum lv_log_level level, const char *event, const char *fmt, ...)
{
	char line[2048];
	struct timespec ts;
	struct tm tm;
	va_list ap;
	int n, m;

	if ((int)level < atomic_load(&log_level))
		return;
	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	n = snprintf(line, sizeof(line),
		     "ts=%04d-%02d-%02dT%02d:%02d:%02d.%03ldZ level=%s event=%s ",
		     tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
		     tm.tm_min, tm.tm_sec, ts.tv_nsec / 1000000,
		     level_names[level], event);
	if (n < 0 || (size_t)n >= sizeof(line))
		return;
	va_start(ap, fmt);
	m = vsnprintf(line + n, sizeof(line) - (size_t)n, fmt, ap);
	va_end(ap);
	if (m < 0)
		m = 0;
	n = (size_t)(n + m) >= sizeof(line) - 1 ? (int)sizeof(line) - 2 : n + m;
	line[n++] = '\n';
	(void)!write(STDERR_FILENO, line, (size_t)n);
}

const char *lv_log_quote(char *dst, size_t dstlen, const char *s)
{
	size_t i = 0;

	if (dstlen < 3) {
		if (dstlen)
			dst[0] = '\0';
		return dst;
	}
	dst[i++] = '"';
	for (; s && *s && i + 5 < dstlen; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\') {
			dst[i++] = '\\';
			dst[i++] = (char)c;
		} else if (c < 0x20 || c == 0x7f) {
			snprintf(dst + i, dstlen - i, "\\x%02x", c);
			i += 4;
		} else {
			dst[i++] = (char)c;
		}
	}
	dst[i++] = '"';
	dst[i] = '\0';
	return dst;
}
