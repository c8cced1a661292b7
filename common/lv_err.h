/*
 * lv_err.h - the one status convention shared by every Livery module.
 *
 * Every function that can fail returns an int: LV_OK (0) on success, or one
 * of the LV_E* codes below. Modules never invent their own numbering; they
 * add detail in a message buffer when a caller needs to show or log why.
 * The HTTP face is the only place that turns a code into a status and a
 * sentence for the user (store/face/reply.c).
 */
#ifndef LV_ERR_H
#define LV_ERR_H

enum lv_err {
	LV_OK = 0,
	LV_EINVAL,     /* the input (request, file, token, config) is malformed */
	LV_ENOTFOUND,  /* the thing asked for does not exist */
	LV_EFORBIDDEN, /* the caller may not do this */
	LV_EAUTH,      /* not signed in, or the identity could not be proven */
	LV_ECONFLICT,  /* the state changed under the caller (retry, race) */
	LV_ETOOBIG,    /* the input is larger than the configured bound */
	LV_EUNAVAIL,   /* a dependency (identity provider, disk) is not there */
	LV_EINTERNAL   /* a bug or an unexpected failure of our own */
};

/* A short stable name for a code ("EINVAL"), for logs. Never NULL. */
const char *lv_err_name(int rc);

#endif
