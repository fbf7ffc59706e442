/*
 * A tiny streaming JSON writer: objects, arrays, strings (escaped; invalid
 * UTF-8 becomes U+FFFD), integers, doubles, booleans, null, and octet
 * strings as lower-case hex.  Writes to a FILE* or into a caller's buffer.
 *
 * Errors are sticky, like struct wr: a call that does not fit, a value
 * where a key is needed, unbalanced ends or nesting deeper than
 * JW_DEPTH_MAX set the error flag and later calls do nothing; jw_finish
 * reports it once at the end.
 */
#ifndef LIB_JSONW_H
#define LIB_JSONW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define JW_DEPTH_MAX	32

struct jw {
	FILE		*f;		/* borrows; NULL: write to buf */
	char		*buf;		/* borrows; NUL-terminated */
	size_t		 cap;
	size_t		 len;		/* octets written */
	bool		 err;		/* sticky error */
	bool		 pretty;	/* newlines and two-space indents */
	bool		 key_done;	/* key written, value due */
	unsigned	 depth;
	bool		 in_obj[JW_DEPTH_MAX];
	bool		 has_item[JW_DEPTH_MAX];
	bool		 done;		/* top-level value complete */
};

/* Write to f (borrows f). */
void jw_init_file(struct jw *w, FILE *f);
/* Write into buf of cap octets (borrows buf; cap > 0). */
void jw_init_buf(struct jw *w, char *buf, size_t cap);
/* Indent nested values on their own lines (call before writing). */
void jw_set_pretty(struct jw *w, bool pretty);

void jw_obj_begin(struct jw *w);
void jw_obj_end(struct jw *w);
void jw_arr_begin(struct jw *w);
void jw_arr_end(struct jw *w);
/* Write a member name; the next call writes its value. */
void jw_key(struct jw *w, const char *key);

void jw_str(struct jw *w, const char *s);
void jw_strn(struct jw *w, const char *s, size_t n);
void jw_int(struct jw *w, long long v);
void jw_uint(struct jw *w, unsigned long long v);
/* A double with up to 17 significant digits; NaN and infinities as null. */
void jw_double(struct jw *w, double v);
void jw_bool(struct jw *w, bool v);
void jw_null(struct jw *w);
/* Octets as a lower-case hex string, with sep between octets unless '\0'. */
void jw_hex(struct jw *w, const uint8_t *p, size_t n, char sep);

/* Key and value in one call. */
void jw_kv_str(struct jw *w, const char *key, const char *s);
void jw_kv_int(struct jw *w, const char *key, long long v);
void jw_kv_uint(struct jw *w, const char *key, unsigned long long v);
void jw_kv_bool(struct jw *w, const char *key, bool v);
void jw_kv_hex(struct jw *w, const char *key, const uint8_t *p, size_t n,
    char sep);

/*
 * Return 0 if exactly one complete top-level value was written without
 * error (a FILE* is flushed and checked), -1 otherwise.
 */
int jw_finish(struct jw *w);

#endif
