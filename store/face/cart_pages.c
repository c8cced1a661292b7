/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * cart_pages.c - the pages of this area are being written; until then they
 * answer 501 Not Implemented (the JSON API already works).
 */
#include "handlers.h"

int page_cart_get(struct req *r)
{
	return reply_error(r, 501, "not_implemented", "This page is not ready yet.", NULL);
}

int page_cart_add_post(struct req *r)
{
	return reply_error(r, 501, "not_implemented", "This page is not ready yet.", NULL);
}

int page_cart_update_post(struct req *r)
{
	return reply_error(r, 501, "not_implemented", "This page is not ready yet.", NULL);
}

int page_cart_remove_post(struct req *r)
{
	return reply_error(r, 501, "not_implemented", "This page is not ready yet.", NULL);
}

int page_quick_get(struct req *r)
{
	return reply_error(r, 501, "not_implemented", "This page is not ready yet.", NULL);
}

int page_quick_post(struct req *r)
{
	return reply_error(r, 501, "not_implemented", "This page is not ready yet.", NULL);
}

int page_checkout_get(struct req *r)
{
	return reply_error(r, 501, "not_implemented", "This page is not ready yet.", NULL);
}

int page_checkout_post(struct req *r)
{
	return reply_error(r, 501, "not_implemented", "This page is not ready yet.", NULL);
}
