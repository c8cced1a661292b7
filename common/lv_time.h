/*
 * lv_time.h - the one clock. Everything that compares times (token expiry,
 * session timeouts, allowance periods) asks lv_now(), so tests can freeze
 * or move time with lv_clock_set() instead of sleeping.
 */
#ifndef LV_TIME_H
#define LV_TIME_H

#include <stdint.h>

/* Seconds since the epoch (UTC). */
int64_t lv_now(void);
/* Fixes the clock at t (seconds); 0 returns to the real clock. Tests only. */
void lv_clock_set(int64_t t);

#endif
