/* SPDX-License-Identifier: BSD-2-Clause */
/* SMTP command pipeline (RFC 2920 section 3): a bounded FIFO of commands
 * waiting for their reply, answered strictly in order (RFC 2920 3.1). */
#include "handlers/smtp.h"

/* Past SMTP_QUEUE_MAX commands are only counted: they sit behind every
 * tracked one, so once the tracked ones are answered the next replies belong
 * to them, in order, as "untracked" commands. */
bool smtp_queue_push(struct smtp_queue *q, const struct smtp_pending *p)
{
	if (q->overflow == 0 && q->count > 0) {
		struct smtp_pending *t = &q->e[(q->head + q->count - 1) % SMTP_QUEUE_MAX];
		bool next = p->seq ? p->idx == (uint32_t)t->idx + t->count : p->idx == t->idx;
		if (t->kind == p->kind && t->slot == p->slot && t->gen == p->gen && t->seq == p->seq &&
		    next && t->count < UINT16_MAX) {
			t->count++;
			q->commands++;
			return true;
		}
	}
	if (q->overflow > 0 || q->count >= SMTP_QUEUE_MAX) {
		q->overflow++;
		return false;
	}
	struct smtp_pending *e = &q->e[(q->head + q->count) % SMTP_QUEUE_MAX];
	*e = *p;
	e->count = 1;
	q->count++;
	q->commands++;
	return true;
}

struct smtp_pending *smtp_queue_head(struct smtp_queue *q)
{
	if (q->count > 0)
		return &q->e[q->head];
	if (q->overflow > 0) {
		q->untracked.kind = SMTP_K_OTHER;
		q->untracked.slot = SMTP_NO_SLOT;
		q->untracked.idx = 0;
		q->untracked.gen = 0;
		q->untracked.count = 1;
		q->untracked.seq = false;
		return &q->untracked;
	}
	return NULL;
}

struct smtp_pending *smtp_queue_at(struct smtp_queue *q, size_t i)
{
	if (i >= q->count)
		return NULL;
	return &q->e[(q->head + i) % SMTP_QUEUE_MAX];
}

void smtp_queue_pop(struct smtp_queue *q)
{
	if (q->count > 0) {
		struct smtp_pending *h = &q->e[q->head];
		q->commands--;
		if (h->count > 1) {
			h->count--;
			if (h->seq)
				h->idx++;
			return;
		}
		q->head = (uint16_t)((q->head + 1) % SMTP_QUEUE_MAX);
		q->count--;
	} else if (q->overflow > 0) {
		q->overflow--;
	}
}

size_t smtp_queue_len(const struct smtp_queue *q)
{
	return (size_t)q->commands + q->overflow;
}
