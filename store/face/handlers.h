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

/* cart and checkout pages (face/cart_pages.c) */
int page_cart_get(struct req *r);
int page_cart_add_post(struct req *r);
int page_cart_update_post(struct req *r);
int page_cart_remove_post(struct req *r);
int page_quick_get(struct req *r);
int page_quick_post(struct req *r);
int page_checkout_get(struct req *r);
int page_checkout_post(struct req *r);

/* kits (face/kit_pages.c) */
int page_kits_get(struct req *r);
int page_kits_add_post(struct req *r);

/* orders and approvals pages (face/order_pages.c) */
int page_orders_get(struct req *r);
int page_order_get(struct req *r);
int page_order_cancel_post(struct req *r);
int page_order_reorder_post(struct req *r);
int page_allowances_get(struct req *r);
int page_approvals_get(struct req *r);
int page_approval_post(struct req *r);

/* exports (face/export_pages.c) */
int page_export_payroll_get(struct req *r);
int page_export_orders_get(struct req *r);

/* money API (face/api_money.c) */
int api_cart_get(struct req *r);
int api_cart_delete(struct req *r);
int api_cart_lines_post(struct req *r);
int api_cart_line_put(struct req *r);
int api_cart_line_delete(struct req *r);
int api_checkout_quote_post(struct req *r);
int api_checkout_post(struct req *r);
int api_orders_get(struct req *r);
int api_order_get(struct req *r);
int api_order_cancel_post(struct req *r);
int api_order_reorder_post(struct req *r);
int api_me_allowances_get(struct req *r);
int api_approvals_get(struct req *r);
int api_approval_post(struct req *r);

/* admin API (face/api_admin.c) */
int api_admin_programmes_get(struct req *r);
int api_admin_programmes_post(struct req *r);
int api_admin_employee_allowances_get(struct req *r);
int api_admin_adjustments_post(struct req *r);
int api_admin_orders_get(struct req *r);
int api_admin_order_get(struct req *r);
int api_admin_order_status_post(struct req *r);
int api_admin_order_cancel_post(struct req *r);
int api_admin_order_returns_post(struct req *r);
int api_admin_export_payroll_get(struct req *r);
int api_admin_export_orders_get(struct req *r);

/* policies admin API (face/api_policies.c) */
int api_admin_policies_get(struct req *r);
int api_admin_policies_post(struct req *r);
int api_admin_policy_get(struct req *r);
int api_admin_policy_put(struct req *r);
int api_admin_policy_delete(struct req *r);
int api_admin_policy_preview_get(struct req *r);
int api_admin_policy_preview_post(struct req *r);
int api_admin_policy_history_get(struct req *r);

#endif
