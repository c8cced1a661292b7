/*
 * app.h - the application context: everything a request may need, passed
 * explicitly (no global singleton). One struct livery lives for the whole
 * run of `livery serve` (or of a command); request handlers receive it
 * through struct req.
 */
#ifndef LV_APP_H
#define LV_APP_H

#include <pthread.h>
#include <stdatomic.h>

#include "config.h"

struct sso_rp;
struct theme;
struct lv_db;
struct policy_runtime;
struct metrics;
struct server_gate;

/* Role bits, from [roles] group mapping. */
enum lv_role {
	LV_ROLE_HR_ADMIN = 1 << 0,
	LV_ROLE_STORE_ADMIN = 1 << 1,
	LV_ROLE_APPROVER = 1 << 2,
	/* sees everything the console shows and changes nothing: the
	 * dispatcher never lets this bit pass a state-changing route */
	LV_ROLE_AUDITOR = 1 << 3
};

/* Every role that opens the console (/admin). */
#define LV_ROLES_CONSOLE (LV_ROLE_HR_ADMIN | LV_ROLE_STORE_ADMIN | LV_ROLE_APPROVER | LV_ROLE_AUDITOR)

struct livery {
	struct lv_config cfg;
	struct sso_rp *rp;

	/* The theme in use, and the one the last reload replaced (kept so
	 * that the static files its pages name stay served). Each is
	 * immutable, but a reload swaps them under theme_lock: read them only
	 * through app_theme_get() and app_theme_previous_get(). */
	pthread_mutex_t theme_lock;
	struct theme *theme_current;
	struct theme *theme_previous;
	struct policy_runtime *policies; /* the active catalog policies */
	struct server_gate *gate; /* requests in flight while serving (server_life.h), else NULL */
	struct metrics *metrics; /* GET /metrics counters while serving, else NULL */

	atomic_uint_fast64_t next_request_id;
	char instance[9]; /* random prefix for request ids */
};

/*
 * Loads the configuration at path and sets up what `serve` needs (the
 * relying party, the theme). Returns LV_OK or an error with msg for the
 * operator. OUT: *out, freed with app_free().
 */
int app_new(const char *config_path, int for_serve, struct livery **out,
	    char *msg, size_t msglen);
void app_free(struct livery *app);

/*
 * Opens a connection to the store's database (creating it and its folder
 * when create is set). OUT: *db, closed with lv_db_close().
 */
int app_db_open(struct livery *app, int create, struct lv_db **db, char *msg,
		size_t msglen);

/*
 * Loads the catalog policies stored in the database and makes them the
 * active set. A set that does not load (only possible when a new version
 * of Livery judges stored policies differently) is refused with msg
 * naming every error: the old set stays active. Returns LV_OK, LV_EINVAL
 * or LV_EINTERNAL.
 */
int app_policies_load(struct livery *app, struct lv_db *db, char *msg, size_t msglen);

/*
 * Loads the theme and locale catalogs from [server] themes_dir, theme and
 * locale_dir (at start, and on reload) and makes it the one in use; the one
 * it replaces becomes the previous one, and is freed when the last request
 * holding it ends. Returns LV_OK, or theme_load()'s error with msg: the
 * theme in use then stays.
 */
int app_theme_load(struct livery *app, char *msg, size_t msglen);

/*
 * The theme in use, for a request: a new reference (theme_unref it when
 * done), so that a reload meanwhile frees nothing the request renders
 * from. NULL when no theme is loaded (commands other than serve).
 */
struct theme *app_theme_get(struct livery *app);

/* The theme the last reload replaced: a new reference, or NULL. */
struct theme *app_theme_previous_get(struct livery *app);

/*
 * Role bits for a list of identity-provider groups (a JSON array of
 * strings), according to [roles].
 */
unsigned app_roles_for_groups(const struct livery *app, const void *groups_json);

#endif
