/*
 * config.h - Livery's configuration: one INI file, described by one table.
 *
 * Every key the file may hold is one line of the table in config.c (section,
 * name, type, bounds, default, the field it fills, a sentence for errors).
 * An unknown section or key, a value of the wrong type or out of range stops
 * start-up with the file, the line and what is allowed. The sample
 * packaging/livery.conf documents every key with its default; a unit test
 * checks that the two agree.
 */
#ifndef LV_CONFIG_H
#define LV_CONFIG_H

#include <stddef.h>
#include <stdint.h>

#include "lv_net.h"

struct lv_config {
	char *path; /* the file read */

	/* [server] */
	char *listen;          /* host:port for CivetWeb */
	char *public_url;      /* scheme://host[:port] as employees reach it */
	char *data_dir;        /* the database lives here */
	char *theme;           /* a folder name under themes_dir */
	char *themes_dir;
	char *locale_dir;      /* compiled catalogs: <dir>/<lang>/LC_MESSAGES/livery.mo */
	char *default_locale;
	int64_t max_body_bytes;
	int64_t max_upload_bytes;
	int64_t threads;
	int64_t shutdown_timeout_seconds; /* how long a stop waits for requests in flight */
	char *log_level;
	char *trusted_proxies; /* addresses/ranges whose X-Forwarded-* are believed */
	char *metrics_allow;   /* addresses/ranges that may read /metrics */

	/* [store] */
	char *company_name;
	char *currency;        /* ISO 4217 */
	char *primary_color;   /* #rrggbb */
	char *accent_color;
	char *logo;            /* optional: the company's logo file */
	char *uncovered_overage; /* deny|approval|payroll: lines no programme covers */

	/* [database] */
	int64_t busy_timeout_ms;

	/* [oidc] */
	char *issuer;
	char *client_id;
	char *client_secret;
	char *scope;
	char *redirect_path;
	char *post_logout_redirect_path;
	char *claim_employee_id;
	char *claim_department;
	char *claim_cost_center;
	char *claim_site;
	char *claim_groups;
	char *claim_locale;
	char *claim_manager;   /* the manager's employee id */
	int64_t iat_slack_seconds;
	int64_t session_idle_seconds;
	int64_t session_max_seconds;
	int64_t http_timeout_seconds;

	/* [roles]: comma-separated identity-provider group names */
	char *role_hr_admin;
	char *role_store_admin;
	char *role_approver;
	char *role_auditor;

	/* [people] */
	char *people_match_login; /* employee_id | email | employee_id_then_email */

	/* derived after loading */
	int public_https;      /* public_url is https: cookies get Secure */
	struct lv_net_list trusted_proxies_net; /* trusted_proxies, parsed */
	struct lv_net_list metrics_allow_net;   /* metrics_allow, parsed */
	char *db_path;         /* data_dir + "/livery.db" */
};

/*
 * Reads path into cfg (zeroed by the caller, cleaned with
 * lv_config_cleanup). Values not in the file keep their defaults; the
 * environment's LIVERY_OIDC_CLIENT_SECRET replaces oidc.client_secret.
 * When for_serve is set, keys needed to run the server (public_url,
 * oidc issuer/client_id/client_secret) must be present. Returns LV_OK, or
 * LV_EINVAL / LV_ENOTFOUND with msg naming the file, the line and the rule.
 */
int lv_config_load(struct lv_config *cfg, const char *path, int for_serve,
		   char *msg, size_t msglen);
void lv_config_cleanup(struct lv_config *cfg);

/* Fills cfg with the defaults only (for tests). */
void lv_config_defaults(struct lv_config *cfg);

/* For the docs test: calls fn for every key of the table. */
void lv_config_each_key(void (*fn)(void *arg, const char *section,
				   const char *name, const char *def),
			void *arg);

#endif
