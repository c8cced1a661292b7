/*
 * handlers.h - the route handlers, one file per area:
 * auth.c (sign-in, callback, logout), pages.c (storefront pages, media,
 * static assets), api.c (JSON API, health).
 * Each takes the request and returns LV_OK once it has set a response, or
 * an lv_err code for the dispatcher to turn into an error response.
 */
#ifndef LV_HANDLERS_H
#define LV_HANDLERS_H

#include "http.h"

int auth_login_get(struct req *r);
int auth_callback_get(struct req *r);
int auth_logout_post(struct req *r);
int auth_backchannel_post(struct req *r);

int page_home_get(struct req *r);
int page_category_get(struct req *r);
int page_search_get(struct req *r);
int page_product_get(struct req *r);
int page_profile_get(struct req *r);
int page_language_post(struct req *r);
int page_media_get(struct req *r);
int page_static_get(struct req *r);
int page_favicon_get(struct req *r);

int api_health_get(struct req *r);
int api_me_get(struct req *r);
int api_products_get(struct req *r);

#endif
