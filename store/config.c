/*
 * config.c - the configuration table and the INI reader (see config.h).
 *
 * libinih splits the file into (section, key, value) and tells us the line
 * of the first error; everything else - which keys exist, their types, their
 * bounds and defaults - is the table below, one line per key.
 */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <ini.h>
#include <sodium.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lv_err.h"
#include "lv_log.h"
#include "lv_mem.h"
#include "lv_net.h"
#include "lv_parse.h"

enum cfg_type {
	CFG_TEXT,     /* any text, may be empty */
	CFG_WORD,     /* non-empty, no spaces or control characters */
	CFG_INT,      /* integer within [min, max] */
	CFG_LISTEN,   /* host:port */
	CFG_URL,      /* http:// or https:// origin, no path */
	CFG_ISSUER,   /* http(s) URL, https unless the host is loopback */
	CFG_PATH,     /* a file system path */
	CFG_URLPATH,  /* a local URL path: starts with '/' */
	CFG_LOCALE,   /* en, fr, en-GB */
	CFG_COLOR,    /* #rrggbb */
	CFG_CURRENCY, /* three capital letters */
	CFG_LEVEL,    /* debug, info, warn, error */
	CFG_OVERAGE,  /* deny, approval, payroll */
	CFG_LIST,     /* comma-separated words */
	CFG_MATCH,    /* employee_id, email, employee_id_then_email */
	CFG_NETS      /* comma-separated IP addresses and CIDR ranges (lv_net.h) */
};

struct cfg_key {
	const char *section;
	const char *name;
	enum cfg_type type;
	int64_t min, max;
	const char *def; /* NULL: no default (empty) */
	size_t offset;
	int serve_required;
};

#define S(f) offsetof(struct lv_config, f)
static const struct cfg_key cfg_keys[] = {
	{ "server", "listen", CFG_LISTEN, 0, 0, "127.0.0.1:8080", S(listen), 0 },
	{ "server", "public_url", CFG_URL, 0, 0, NULL, S(public_url), 1 },
	{ "server", "data_dir", CFG_PATH, 0, 0, "/var/lib/livery", S(data_dir), 0 },
	{ "server", "theme", CFG_WORD, 0, 0, "default", S(theme), 0 },
	{ "server", "themes_dir", CFG_PATH, 0, 0, "/usr/share/livery/themes", S(themes_dir), 0 },
	{ "server", "locale_dir", CFG_PATH, 0, 0, "/usr/share/livery/locale", S(locale_dir), 0 },
	{ "server", "default_locale", CFG_LOCALE, 0, 0, "en", S(default_locale), 0 },
	{ "server", "max_body_bytes", CFG_INT, 1024, 64 << 20, "1048576", S(max_body_bytes), 0 },
	{ "server", "max_upload_bytes", CFG_INT, 1024, 256 << 20, "16777216", S(max_upload_bytes), 0 },
	{ "server", "threads", CFG_INT, 1, 256, "32", S(threads), 0 },
	{ "server", "shutdown_timeout_seconds", CFG_INT, 0, 3600, "10", S(shutdown_timeout_seconds), 0 },
	{ "server", "log_level", CFG_LEVEL, 0, 0, "info", S(log_level), 0 },
	{ "server", "trusted_proxies", CFG_NETS, 0, 0, "", S(trusted_proxies), 0 },
	{ "server", "metrics_allow", CFG_NETS, 0, 0, "127.0.0.1, ::1", S(metrics_allow), 0 },
	{ "store", "company_name", CFG_TEXT, 0, 0, "Northwind Group", S(company_name), 0 },
	{ "store", "currency", CFG_CURRENCY, 0, 0, "EUR", S(currency), 0 },
	{ "store", "primary_color", CFG_COLOR, 0, 0, "#1f3a5f", S(primary_color), 0 },
	{ "store", "accent_color", CFG_COLOR, 0, 0, "#e4a11b", S(accent_color), 0 },
	{ "store", "logo", CFG_PATH, 0, 0, NULL, S(logo), 0 },
	{ "store", "uncovered_overage", CFG_OVERAGE, 0, 0, "deny", S(uncovered_overage), 0 },
	{ "database", "busy_timeout_ms", CFG_INT, 0, 600000, "5000", S(busy_timeout_ms), 0 },
	{ "oidc", "issuer", CFG_ISSUER, 0, 0, NULL, S(issuer), 1 },
	{ "oidc", "client_id", CFG_WORD, 0, 0, NULL, S(client_id), 1 },
	{ "oidc", "client_secret", CFG_WORD, 0, 0, NULL, S(client_secret), 1 },
	{ "oidc", "scope", CFG_TEXT, 0, 0, "openid profile email", S(scope), 0 },
	{ "oidc", "redirect_path", CFG_URLPATH, 0, 0, "/auth/callback", S(redirect_path), 0 },
	{ "oidc", "post_logout_redirect_path", CFG_URLPATH, 0, 0, "/", S(post_logout_redirect_path), 0 },
	{ "oidc", "claim_employee_id", CFG_WORD, 0, 0, "employee_id", S(claim_employee_id), 0 },
	{ "oidc", "claim_department", CFG_WORD, 0, 0, "department", S(claim_department), 0 },
	{ "oidc", "claim_cost_center", CFG_WORD, 0, 0, "cost_center", S(claim_cost_center), 0 },
	{ "oidc", "claim_site", CFG_WORD, 0, 0, "site", S(claim_site), 0 },
	{ "oidc", "claim_groups", CFG_WORD, 0, 0, "groups", S(claim_groups), 0 },
	{ "oidc", "claim_locale", CFG_WORD, 0, 0, "locale", S(claim_locale), 0 },
	{ "oidc", "claim_manager", CFG_WORD, 0, 0, "manager", S(claim_manager), 0 },
	{ "oidc", "iat_slack_seconds", CFG_INT, 0, 3600, "120", S(iat_slack_seconds), 0 },
	{ "oidc", "session_idle_seconds", CFG_INT, 60, 7 * 86400, "1800", S(session_idle_seconds), 0 },
	{ "oidc", "session_max_seconds", CFG_INT, 300, 30 * 86400, "43200", S(session_max_seconds), 0 },
	{ "oidc", "http_timeout_seconds", CFG_INT, 1, 120, "10", S(http_timeout_seconds), 0 },
	{ "roles", "hr_admin", CFG_LIST, 0, 0, "", S(role_hr_admin), 0 },
	{ "roles", "store_admin", CFG_LIST, 0, 0, "", S(role_store_admin), 0 },
	{ "roles", "approver", CFG_LIST, 0, 0, "", S(role_approver), 0 },
	{ "roles", "auditor", CFG_LIST, 0, 0, "", S(role_auditor), 0 },
	{ "people", "match_login", CFG_MATCH, 0, 0, "employee_id", S(people_match_login), 0 },
};
#undef S
#define N_KEYS (sizeof(cfg_keys) / sizeof(cfg_keys[0]))

struct cfg_load {
	struct lv_config *cfg;
	char *msg;
	size_t msglen;
	unsigned char seen[N_KEYS];
};

static char **cfg_str(struct lv_config *cfg, const struct cfg_key *k)
{
	return (char **)((char *)cfg + k->offset);
}

static int64_t *cfg_int(struct lv_config *cfg, const struct cfg_key *k)
{
	return (int64_t *)((char *)cfg + k->offset);
}

/* The parsed list a CFG_NETS key fills, beside its text. */
static struct lv_net_list *cfg_nets(struct lv_config *cfg, const struct cfg_key *k)
{
	return k->offset == offsetof(struct lv_config, trusted_proxies) ? &cfg->trusted_proxies_net
									: &cfg->metrics_allow_net;
}

static int cfg_is_word(const char *v)
{
	if (*v == '\0')
		return 0;
	for (; *v; v++)
		if ((unsigned char)*v <= 0x20 || *v == 0x7f)
			return 0;
	return 1;
}

static int cfg_is_loopback(const char *host, size_t n)
{
	return (n == 9 && strncmp(host, "localhost", 9) == 0) ||
	       (n >= 4 && strncmp(host, "127.", 4) == 0) ||
	       (n == 5 && strncmp(host, "[::1]", 5) == 0);
}

/* Checks host[:port] (no path, query, userinfo). OUT: *host_len. */
static int cfg_check_hostport(const char *s, size_t *host_len, int port_required)
{
	const char *colon, *end = s + strlen(s);
	int64_t port;
	size_t i, n;

	if (*s == '[') {
		const char *rb = strchr(s, ']');
		if (rb == NULL)
			return -1;
		colon = rb[1] == ':' ? rb + 1 : NULL;
		if (rb[1] != '\0' && rb[1] != ':')
			return -1;
		n = (size_t)(rb + 1 - s);
	} else {
		colon = strrchr(s, ':');
		n = colon ? (size_t)(colon - s) : strlen(s);
		for (i = 0; i < n; i++)
			if (!isalnum((unsigned char)s[i]) && s[i] != '.' && s[i] != '-')
				return -1;
	}
	if (n == 0)
		return -1;
	if (colon) {
		if (lv_parse_i64n(colon + 1, (size_t)(end - colon - 1), 1, 65535, &port) != LV_OK)
			return -1;
	} else if (port_required) {
		return -1;
	}
	*host_len = n;
	return 0;
}

/* Checks an http(s) origin with an optional trailing path (allow_path). */
static int cfg_check_url(const char *v, int allow_path, int *https, const char **host,
			 size_t *host_len)
{
	const char *rest, *slash;
	char hp[256];
	size_t n;

	if (strncmp(v, "https://", 8) == 0) {
		*https = 1;
		rest = v + 8;
	} else if (strncmp(v, "http://", 7) == 0) {
		*https = 0;
		rest = v + 7;
	} else {
		return -1;
	}
	slash = strchr(rest, '/');
	n = slash ? (size_t)(slash - rest) : strlen(rest);
	if (n == 0 || n >= sizeof(hp) || strpbrk(v, "?#@ \t\"'<>\\") != NULL)
		return -1;
	if (slash && !allow_path && strcmp(slash, "/") != 0)
		return -1;
	memcpy(hp, rest, n);
	hp[n] = '\0';
	if (cfg_check_hostport(hp, host_len, 0) != 0)
		return -1;
	*host = rest;
	return 0;
}

/*
 * Validates value for key k and stores it. Returns 0, or -1 with msg set to
 * what is allowed (the caller adds file and line).
 */
static int cfg_set(struct lv_config *cfg, const struct cfg_key *k, const char *v,
		   char *msg, size_t msglen)
{
	int64_t n;
	int https = 0, ok = 1;
	const char *host = NULL, *what = "";
	size_t hl = 0, i, len = strlen(v);

	switch (k->type) {
	case CFG_TEXT:
		for (i = 0; i < len; i++)
			if ((unsigned char)v[i] < 0x20)
				ok = 0;
		what = "text without control characters";
		break;
	case CFG_WORD:
		ok = cfg_is_word(v);
		what = "a non-empty value without spaces";
		break;
	case CFG_INT:
		if (lv_parse_i64(v, k->min, k->max, &n) != LV_OK) {
			lv_snprintf(msg, msglen,
				    "%s.%s = \"%s\": expected a whole number from %lld to %lld",
				    k->section, k->name, v, (long long)k->min,
				    (long long)k->max);
			return -1;
		}
		*cfg_int(cfg, k) = n;
		return 0;
	case CFG_LISTEN:
		ok = cfg_check_hostport(v, &hl, 1) == 0;
		what = "host:port, e.g. 127.0.0.1:8080 (port 1-65535)";
		break;
	case CFG_URL:
		ok = cfg_check_url(v, 0, &https, &host, &hl) == 0;
		what = "an origin such as https://store.example.com (http or https, no path)";
		break;
	case CFG_ISSUER:
		ok = cfg_check_url(v, 1, &https, &host, &hl) == 0 &&
		     (https || cfg_is_loopback(host, hl));
		what = "an https URL (http is allowed only for a loopback test provider)";
		break;
	case CFG_PATH:
		ok = len > 0 && len < 4096 && strchr(v, '\n') == NULL;
		what = "a file system path";
		break;
	case CFG_URLPATH:
		ok = v[0] == '/' && v[1] != '/' && cfg_is_word(v) &&
		     strpbrk(v, "?#\\") == NULL;
		what = "a local path starting with /, e.g. /auth/callback";
		break;
	case CFG_LOCALE:
		ok = (len == 2 || (len == 5 && v[2] == '-')) &&
		     islower((unsigned char)v[0]) && islower((unsigned char)v[1]) &&
		     (len == 2 || (isupper((unsigned char)v[3]) && isupper((unsigned char)v[4])));
		what = "a language tag such as en, fr or en-GB";
		break;
	case CFG_COLOR:
		ok = len == 7 && v[0] == '#';
		for (i = 1; ok && i < 7; i++)
			ok = isxdigit((unsigned char)v[i]) != 0;
		what = "a colour written #rrggbb";
		break;
	case CFG_CURRENCY:
		ok = len == 3 && isupper((unsigned char)v[0]) &&
		     isupper((unsigned char)v[1]) && isupper((unsigned char)v[2]);
		what = "an ISO 4217 currency code such as EUR";
		break;
	case CFG_LEVEL: {
		enum lv_log_level l;
		ok = lv_log_level_parse(v, &l) == 0;
		what = "one of debug, info, warn, error";
		break;
	}
	case CFG_OVERAGE:
		ok = strcmp(v, "deny") == 0 || strcmp(v, "approval") == 0 ||
		     strcmp(v, "payroll") == 0;
		what = "one of deny, approval, payroll";
		break;
	case CFG_LIST:
		for (i = 0; i < len; i++)
			if ((unsigned char)v[i] < 0x20 || v[i] == '"')
				ok = 0;
		what = "a comma-separated list of group names";
		break;
	case CFG_MATCH:
		ok = strcmp(v, "employee_id") == 0 || strcmp(v, "email") == 0 ||
		     strcmp(v, "employee_id_then_email") == 0;
		what = "one of employee_id, email, employee_id_then_email";
		break;
	case CFG_NETS: {
		struct lv_net_list l;
		char why[160];

		if (lv_net_list_parse(v, &l, why, sizeof(why)) != LV_OK) {
			lv_snprintf(msg, msglen, "%s.%s: %s (expected IP addresses or CIDR "
				    "ranges separated by commas, e.g. 127.0.0.1, ::1, 10.0.0.0/8)",
				    k->section, k->name, why);
			return -1;
		}
		*cfg_nets(cfg, k) = l;
		break;
	}
	}
	if (!ok) {
		lv_snprintf(msg, msglen, "%s.%s = \"%.200s\": expected %s",
			    k->section, k->name, v, what);
		return -1;
	}
	lv_free(*cfg_str(cfg, k));
	*cfg_str(cfg, k) = lv_strdup(v);
	if (k->type == CFG_URL) {
		/* kept as an origin ("https://host"), the form browsers send in
		 * the Origin header and the form redirect URIs are built on */
		char *u = *cfg_str(cfg, k);

		if (len && u[len - 1] == '/')
			u[len - 1] = '\0';
		cfg->public_https = https;
	}
	return 0;
}

static int cfg_handler(void *user, const char *section, const char *name,
		       const char *value)
{
	struct cfg_load *ld = user;
	int known_section = 0;
	size_t i;

	for (i = 0; i < N_KEYS; i++) {
		const struct cfg_key *k = &cfg_keys[i];

		if (strcmp(k->section, section) != 0)
			continue;
		known_section = 1;
		if (strcmp(k->name, name) != 0)
			continue;
		if (ld->seen[i]) {
			lv_snprintf(ld->msg, ld->msglen,
				    "%s.%s is set twice", section, name);
			return 0;
		}
		ld->seen[i] = 1;
		return cfg_set(ld->cfg, k, value, ld->msg, ld->msglen) == 0;
	}
	if (!known_section)
		lv_snprintf(ld->msg, ld->msglen,
			    "unknown section [%.64s] (known: server, store, "
			    "database, oidc, roles)", section);
	else
		lv_snprintf(ld->msg, ld->msglen,
			    "unknown key \"%.64s\" in [%s]", name, section);
	return 0;
}

void lv_config_defaults(struct lv_config *cfg)
{
	size_t i;
	char msg[256];

	for (i = 0; i < N_KEYS; i++) {
		const struct cfg_key *k = &cfg_keys[i];

		if (k->def == NULL)
			continue;
		if (cfg_set(cfg, k, k->def, msg, sizeof(msg)) != 0) {
			/* a default that fails its own rule is a bug */
			fprintf(stderr, "livery: bad default: %s\n", msg);
			abort();
		}
	}
}

int lv_config_load(struct lv_config *cfg, const char *path, int for_serve,
		   char *msg, size_t msglen)
{
	struct cfg_load ld;
	char dbp[4200];
	const char *env;
	FILE *f = NULL;
	size_t i;
	int line, rc = LV_EINVAL;

	memset(&ld, 0, sizeof(ld));
	ld.cfg = cfg;
	ld.msg = msg;
	ld.msglen = msglen;
	msg[0] = '\0';
	lv_config_defaults(cfg);
	cfg->path = lv_strdup(path);

	f = fopen(path, "r");
	if (f == NULL) {
		lv_snprintf(msg, msglen, "%s: cannot read the configuration: %s",
			    path, strerror(errno));
		rc = LV_ENOTFOUND;
		goto out;
	}
	line = ini_parse_file(f, cfg_handler, &ld);
	if (line != 0) {
		char why[384];

		lv_strlcpy(why, msg[0] ? msg : "not a KEY = VALUE line or [section]",
			   sizeof(why));
		if (line < 0)
			lv_snprintf(msg, msglen, "%s: cannot read: %s", path, why);
		else
			lv_snprintf(msg, msglen, "%s:%d: %s", path, line, why);
		goto out;
	}

	env = getenv("LIVERY_OIDC_CLIENT_SECRET");
	if (env && *env) {
		lv_free(cfg->client_secret);
		cfg->client_secret = lv_strdup(env);
	}
	if (for_serve) {
		for (i = 0; i < N_KEYS; i++) {
			const struct cfg_key *k = &cfg_keys[i];

			if (!k->serve_required || *cfg_str(cfg, k))
				continue;
			lv_snprintf(msg, msglen, "%s: %s.%s is required%s", path,
				    k->section, k->name,
				    strcmp(k->name, "client_secret") == 0
					    ? " (or LIVERY_OIDC_CLIENT_SECRET in the environment)"
					    : "");
			goto out;
		}
	}
	if (cfg->session_idle_seconds > cfg->session_max_seconds) {
		lv_snprintf(msg, msglen,
			    "%s: oidc.session_idle_seconds (%lld) must not exceed "
			    "oidc.session_max_seconds (%lld)", path,
			    (long long)cfg->session_idle_seconds,
			    (long long)cfg->session_max_seconds);
		goto out;
	}
	if (lv_snprintf(dbp, sizeof(dbp), "%s/livery.db", cfg->data_dir) < 0) {
		lv_snprintf(msg, msglen, "%s: server.data_dir is too long", path);
		goto out;
	}
	cfg->db_path = lv_strdup(dbp);
	rc = LV_OK;
out:
	if (f)
		fclose(f);
	return rc;
}

void lv_config_cleanup(struct lv_config *cfg)
{
	size_t i;

	if (cfg->client_secret)
		sodium_memzero(cfg->client_secret, strlen(cfg->client_secret));
	for (i = 0; i < N_KEYS; i++)
		if (cfg_keys[i].type != CFG_INT) {
			char **p = cfg_str(cfg, &cfg_keys[i]);
			lv_free(*p);
			*p = NULL;
		}
	lv_free(cfg->path);
	lv_free(cfg->db_path);
	cfg->path = NULL;
	cfg->db_path = NULL;
}

void lv_config_each_key(void (*fn)(void *arg, const char *section,
				   const char *name, const char *def),
			void *arg)
{
	size_t i;

	for (i = 0; i < N_KEYS; i++)
		fn(arg, cfg_keys[i].section, cfg_keys[i].name,
		   cfg_keys[i].def ? cfg_keys[i].def : "");
}
