/*
 * lv_log.h - one line per event, with a level, to stderr (journald).
 *
 * Lines look like:  level=info event=request rid=3f2a... method=GET ...
 * The caller formats the key=value part. Values that come from outside
 * must go through lv_log_quote() so that a request cannot forge log lines.
 * Tokens, cookies and secrets are never logged; see STYLE.md.
 * Logging is thread-safe (one write(2) per line).
 */
#ifndef LV_LOG_H
#define LV_LOG_H

#include <stddef.h>

enum lv_log_level { LV_LOG_DEBUG = 0, LV_LOG_INFO, LV_LOG_WARN, LV_LOG_ERROR };

/* Lines below level are dropped. Default: LV_LOG_INFO. */
void lv_log_set_level(enum lv_log_level level);
/* Parses "debug", "info", "warn", "error"; 0 on success. */
int lv_log_level_parse(const char *s, enum lv_log_level *out);

void lv_log(enum lv_log_level level, const char *event, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/*
 * Writes s into dst (size dstlen) as a double-quoted log value with control
 * characters, quotes and backslashes escaped, truncated to fit. Returns dst.
 */
const char *lv_log_quote(char *dst, size_t dstlen, const char *s);

#define lv_debug(ev, ...) lv_log(LV_LOG_DEBUG, ev, __VA_ARGS__)
#define lv_info(ev, ...) lv_log(LV_LOG_INFO, ev, __VA_ARGS__)
#define lv_warn(ev, ...) lv_log(LV_LOG_WARN, ev, __VA_ARGS__)
#define lv_error(ev, ...) lv_log(LV_LOG_ERROR, ev, __VA_ARGS__)

#endif
