/* SPDX-License-Identifier: BSD-2-Clause */
/* Real SSH segments from the shared d16 capture (see test_ssh_data.c). */
#ifndef PD_TESTS_TEST_SSH_DATA_H
#define PD_TESTS_TEST_SSH_DATA_H

#include <stddef.h>

#include "tests/test_http_run.h"

extern const struct hr_seg ssh_d16[];
extern const size_t ssh_d16_count;

#endif
