/* SPDX-License-Identifier: BSD-2-Clause */
/* Names of decode statuses and reasons, generated from the X-macros of reasons.h. */

#include "parsers/reasons.h"

static const char *const pd_reason_names[PD_R_COUNT] = {
#define PD_REASON_NAME(e, s) [PD_R_##e] = s,
	PD_REASON_LIST(PD_REASON_NAME)
#undef PD_REASON_NAME
};

static const char *const pd_status_names[PD_STATUS_COUNT] = {
#define PD_STATUS_NAME(e, s) [PD_##e] = s,
	PD_STATUS_LIST(PD_STATUS_NAME)
#undef PD_STATUS_NAME
};

const char *pd_reason_name(enum pd_reason r)
{
	if ((unsigned)r >= (unsigned)PD_R_COUNT)
		return "unknown";
	return pd_reason_names[r];
}

const char *pd_status_name(enum pd_status s)
{
	if ((unsigned)s >= (unsigned)PD_STATUS_COUNT)
		return "unknown";
	return pd_status_names[s];
}
