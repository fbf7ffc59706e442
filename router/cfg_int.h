/*
 * Private to router/cfg*.c: the table that describes every setting (name,
 * kind, where it lives in struct cfg, range, default).  Loading, printing,
 * range re-checks and the reload comparison all walk these tables, so a
 * setting is described exactly once.
 */
#ifndef ROUTER_CFG_INT_H
#define ROUTER_CFG_INT_H

#include <stdarg.h>
#include <stddef.h>

#include "router/cfg.h"

enum cfg_kind {
	CK_BOOL = 0,	/* bool */
	CK_U16,		/* uint16_t, range min..max */
	CK_U32,		/* uint32_t, range min..max */
	CK_STR,		/* char *, length min..max */
	CK_NAME,	/* char *, cfg_name_is_valid */
	CK_ENUM,	/* int, one of names[] */
	CK_LEVEL,	/* int, a log level name */
	CK_IP4,		/* uint8_t[4] */
	CK_EP4,		/* struct cfg_ep4, port defaults to 47808 */
	CK_MASK,	/* uint8_t[4], contiguous */
	CK_VMAC,	/* struct cfg_vmac, "random" allowed */
	CK_VMAC_FIXED,	/* struct cfg_vmac, fixed only */
	CK_UUID,	/* struct cfg_uuid */
	CK_URI,		/* struct cfg_uri */
	CK_LISTEN,	/* struct cfg_listen */
	CK_MODE,	/* uint32_t from an octal string */
	CK_STRLIST,	/* struct cfg_strlist (array of strings) */
	CK_GROUP,	/* embedded struct described by sub */
	CK_LIST,	/* array of structs: pointer at off, count at cnt_off */
};

/* How a kind's value is held, for the code that treats kinds alike. */
enum cfg_shape {
	CS_BOOL = 0,	/* CK_BOOL */
	CS_INT,		/* CK_U16, CK_U32 */
	CS_TEXT,	/* every other scalar kind: written as a string */
	CS_STRLIST,	/* CK_STRLIST */
	CS_GROUP,	/* CK_GROUP */
	CS_LIST,	/* CK_LIST */
};

#define CF_REQ		0x01	/* must be present */
#define CFG_STR_MAX	4095	/* longest string setting (file names) */
/* Room for any setting value as quoted, escaped text (\xNN per octet). */
#define CFG_TEXT_MAX	(4 * CFG_STR_MAX + 16)

struct cfg_table;

struct cfg_field {
	const char		*name;
	enum cfg_kind		 kind;
	unsigned		 flags;
	size_t			 off;
	size_t			 set_off;	/* offset + 1 of bool "was set"; 0 none */
	size_t			 cnt_off;	/* CK_LIST count */
	long long		 min, max;	/* ints; string/list lengths */
	long long		 def;		/* bool/int/enum default */
	const char		*defstr;	/* default of text kinds */
	const char *const	*names;		/* CK_ENUM, NULL-terminated */
	const struct cfg_table	*sub;		/* CK_GROUP / CK_LIST */
	/* Print this setting?  NULL: when it has a value. */
	bool			(*show)(const void *obj);
	const char		*allowed;	/* text for "what is allowed" */
};

struct cfg_table {
	const char		*what;
	size_t			 size;		/* sizeof the struct */
	const struct cfg_field	*f;
	size_t			 n;
};

extern const struct cfg_table cfg_root_table;

/* Address of a field inside obj. */
#define CFG_AT(obj, fld)	((void *)((char *)(obj) + (fld)->off))
#define CFG_CAT(obj, fld)	((const void *)((const char *)(obj) + (fld)->off))

/* Record one error; where/path may be NULL.  Never fails (drops on OOM). */
void cfg_err_add(struct cfg_errs *, const char *where, const char *path,
    const char *fmt, ...) __attribute__((format(printf, 4, 5)));
/* As cfg_err_add, with where computed from c's locations for path. */
void cfg_err_at(struct cfg_errs *, const struct cfg *c, const char *path,
    const char *fmt, ...) __attribute__((format(printf, 4, 5)));
/* True if an error was already recorded for path or a parent of it. */
bool cfg_errs_has_path(const struct cfg_errs *, const char *path);

/* The shape of a kind. */
enum cfg_shape cfg_kind_shape(enum cfg_kind);
/*
 * The owned text of field f in obj (borrowed; the slot may hold NULL):
 * the string of CK_STR and CK_NAME, the text as written of CK_URI and
 * CK_LISTEN.  NULL for every other kind.
 */
char *const *cfg_text_slot(const struct cfg_field *f, const void *obj);

/* Set obj's fields to their defaults (recursively for groups). */
void cfg_obj_defaults(const struct cfg_table *, void *obj);
/* Free what obj's fields own (recursively); obj itself is not freed. */
void cfg_obj_fini(const struct cfg_table *, void *obj);

/* Format a scalar field's value as libconfig text (quoted if a string). */
void cfg_value_text(const struct cfg_field *, const void *obj, char *buf,
    size_t len);
/* Does the field have a value worth printing/comparing? */
bool cfg_field_present(const struct cfg_field *, const void *obj);
/* Append a libconfig-escaped, quoted string to buf. */
void cfg_quote(const char *s, char *buf, size_t len);

#endif
