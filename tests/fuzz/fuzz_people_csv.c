/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * fuzz_people_csv.c - libFuzzer target for the employee file HR uploads
 * (people_import_check: libcsv fed line by line, the header, every value's
 * checks and normalisation, duplicates), and for the sentences its errors
 * become (people_import_error_say, which fills placeholders with values
 * from the file). Nothing touches a database.
 */
#include <stddef.h>
#include <stdint.h>

#include "lv_err.h"
#include "people_admin.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct people_import im;
	char msg[1024];
	size_t i;
	int rc;

	people_import_init(&im);
	rc = people_import_check(data, size, &im);
	if (rc == LV_OK && im.n_errors != 0)
		__builtin_trap(); /* a clean file has no error */
	if (rc == LV_EINVAL && im.n_errors == 0)
		__builtin_trap(); /* a refused file says why */
	for (i = 0; i < im.n_errors; i++)
		people_import_error_say(&im.errors[i], NULL, msg, sizeof(msg));
	people_import_cleanup(&im);
	return 0;
}
