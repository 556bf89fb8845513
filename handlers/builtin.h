/* SPDX-License-Identifier: BSD-2-Clause */
/* Descriptors of the handlers compiled into portdemuxd (one file each). */
#ifndef PD_HD_BUILTIN_H
#define PD_HD_BUILTIN_H

#include "portdemux/handler.h"

extern const struct pd_handler pd_handler_dns;
extern const struct pd_handler pd_handler_smtp;
extern const struct pd_handler pd_handler_tls;
extern const struct pd_handler pd_handler_http, pd_handler_ssh;

#endif
