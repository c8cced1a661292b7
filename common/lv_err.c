/*
 * lv_err.c - names for the shared status codes (see lv_err.h).
 */
#include "lv_err.h"

const char *lv_err_name(int rc)
{
	switch (rc) {
	case LV_OK: return "OK";
	case LV_EINVAL: return "EINVAL";
	case LV_ENOTFOUND: return "ENOTFOUND";
	case LV_EFORBIDDEN: return "EFORBIDDEN";
	case LV_EAUTH: return "EAUTH";
	case LV_ECONFLICT: return "ECONFLICT";
	case LV_ETOOBIG: return "ETOOBIG";
	case LV_EUNAVAIL: return "EUNAVAIL";
	case LV_EINTERNAL: return "EINTERNAL";
	}
	return "EUNKNOWN";
}
