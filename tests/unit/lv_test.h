/*
 * lv_test.h - the smallest test harness that tells you what failed.
 *
 * Each unit test file defines test functions and a main() that runs them with
 * LV_RUN(). CHECK* records a failure with file and line and carries on, so one
 * run shows every broken expectation. The process exits non-zero when any
 * check failed, 77 (CTest's "skipped") when lv_test_skip() was called and
 * nothing failed.
 */
#ifndef LV_TEST_H
#define LV_TEST_H

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int lv_test_failures;
static int lv_test_checks;
static int lv_test_skipped;

#define CHECK(cond)                                                            \
	do {                                                                   \
		lv_test_checks++;                                              \
		if (!(cond)) {                                                 \
			lv_test_failures++;                                    \
			fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, \
				__LINE__, #cond);                              \
		}                                                              \
	} while (0)

#define CHECK_INT(a, b)                                                        \
	do {                                                                   \
		long long lv_a_ = (long long)(a), lv_b_ = (long long)(b);      \
		lv_test_checks++;                                              \
		if (lv_a_ != lv_b_) {                                          \
			lv_test_failures++;                                    \
			fprintf(stderr, "%s:%d: %s == %lld, expected %lld\n",  \
				__FILE__, __LINE__, #a, lv_a_, lv_b_);         \
		}                                                              \
	} while (0)

#define CHECK_STR(a, b)                                                        \
	do {                                                                   \
		const char *lv_a_ = (a), *lv_b_ = (b);                         \
		lv_test_checks++;                                              \
		if (lv_a_ == NULL || lv_b_ == NULL || strcmp(lv_a_, lv_b_)) {  \
			lv_test_failures++;                                    \
			fprintf(stderr, "%s:%d: %s == \"%s\", expected \"%s\"\n", \
				__FILE__, __LINE__, #a,                        \
				lv_a_ ? lv_a_ : "(null)",                      \
				lv_b_ ? lv_b_ : "(null)");                     \
		}                                                              \
	} while (0)

#define LV_RUN(fn)                                                             \
	do {                                                                   \
		int lv_before_ = lv_test_failures;                             \
		fn();                                                          \
		fprintf(stderr, "%s %s\n",                                     \
			lv_test_failures == lv_before_ ? "ok  " : "FAIL", #fn);\
	} while (0)

static inline void lv_test_skip(const char *why)
{
	fprintf(stderr, "skip: %s\n", why);
	lv_test_skipped = 1;
}

static inline int lv_test_done(void)
{
	fprintf(stderr, "%d checks, %d failed\n", lv_test_checks,
		lv_test_failures);
	if (lv_test_failures)
		return 1;
	if (lv_test_skipped && lv_test_checks == 0)
		return 77;
	return 0;
}

#endif
