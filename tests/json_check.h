/* SPDX-License-Identifier: BSD-2-Clause */
/* Test helper: a strict RFC 8259 validator and simple path lookups, so every
 * suite can assert that event lines are valid JSON and check their fields.
 * libc only; link tests/json_check.c into the test program. */
#ifndef PD_TESTS_JSON_CHECK_H
#define PD_TESTS_JSON_CHECK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Validates s[0..n) as exactly one JSON value (RFC 8259) with optional
 * surrounding whitespace: UTF-8 valid (RFC 3629: no overlongs, surrogates or
 * code points above U+10FFFF), no raw control characters in strings, escapes
 * well formed (\u surrogates paired), numbers per the grammar, no duplicate
 * keys in one object, nesting at most 64 deep. Returns 0, or -1 with
 * "offset N: what" in err (may be NULL). */
int jc_validate(const char *s, size_t n, char *err, size_t errlen);

/* Path lookups in the first JSON value of the NUL-terminated text json.
 * A path is dot-separated: object keys, or decimal indexes into arrays
 * ("smtp.rcpt_to.1", "vlan.0"); "" is the whole value. Keys containing '.'
 * cannot be addressed. All return 0 when found with the right type, -1
 * otherwise (missing, wrong type, invalid JSON, output too small). */

/* A string value, unescaped to UTF-8 and NUL-terminated in out. */
int jc_get_string(const char *json, const char *path, char *out, size_t outlen);
/* A non-negative integer without fraction or exponent. */
int jc_get_uint(const char *json, const char *path, uint64_t *out);
int jc_get_int(const char *json, const char *path, int64_t *out);
int jc_get_bool(const char *json, const char *path, bool *out);
int jc_is_null(const char *json, const char *path);          /* 0 when null */
/* The raw text of any value (points into json). */
int jc_get_raw(const char *json, const char *path, const char **start, size_t *len);
/* Number of members of an object or elements of an array. */
int jc_get_count(const char *json, const char *path, size_t *n);
/* The idx-th key (0-based, in text order) of the object at path. */
int jc_key_at(const char *json, const char *path, size_t idx, char *out, size_t outlen);

#endif
