/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * order_pages.c - the pages of this area are being written; until then they
 * answer 501 Not Implemented (the JSON API already works).
 */
#include "handlers.h"

int page_orders_get(struct req *r)
{
	return reply_error(r, 501, "not_implemented", "This page is not ready yet.", NULL);
}

int page_order_get(struct req *r)
{
	return reply_error(r, 501, "not_implemented", "This page is not ready yet.", NULL);
}

int page_order_cancel_post(struct req *r)
{
	return reply_error(r, 501, "not_implemented", "This page is not ready yet.", NULL);
}

int page_order_reorder_post(struct req *r)
{
	return reply_error(r, 501, "not_implemented", "This page is not ready yet.", NULL);
}

int page_allowances_get(struct req *r)
{
	return reply_error(r, 501, "not_implemented", "This page is not ready yet.", NULL);
}

int page_approvals_get(struct req *r)
{
	return reply_error(r, 501, "not_implemented", "This page is not ready yet.", NULL);
}

int page_approval_post(struct req *r)
{
	return reply_error(r, 501, "not_implemented", "This page is not ready yet.", NULL);
}
