/* SPDX-License-Identifier: BSD-2-Clause */
/* The bounds-checked cursor lives in the public API so handlers share it. */
#ifndef PD_PARSERS_CURSOR_H
#define PD_PARSERS_CURSOR_H
#include "portdemux/cursor.h"
#endif
