/* SPDX-License-Identifier: BSD-2-Clause */
/* Real HTTP segments from the shared d16 capture (see test_http_data.c). */
#ifndef PD_TESTS_TEST_HTTP_DATA_H
#define PD_TESTS_TEST_HTTP_DATA_H

#include <stddef.h>

#include "tests/test_http_run.h"

extern const struct hr_seg http_d16[];
extern const size_t http_d16_count;

#endif
