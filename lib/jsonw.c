/* Tiny streaming JSON writer: see jsonw.h. */
#include "config.h"

#include <math.h>
#include <string.h>

#include "lib/jsonw.h"

static void
jw_init(struct jw *w)
{
	memset(w, 0, sizeof(*w));
}

void
jw_init_file(struct jw *w, FILE *f)
{
	jw_init(w);
	w->f = f;
}

void
jw_init_buf(struct jw *w, char *buf, size_t cap)
{
	jw_init(w);
	w->buf = buf;
	w->cap = cap;
	if (cap > 0)
		buf[0] = '\0';
	else
		w->err = true;
}

void
jw_set_pretty(struct jw *w, bool pretty)
{
	w->pretty = pretty;
}

/* Append n octets; on overflow or I/O error set the sticky flag. */
static void
jw_put(struct jw *w, const char *s, size_t n)
{
	if (w->err || n == 0)
		return;
	if (w->f != NULL) {
		if (fwrite(s, 1, n, w->f) != n)
			w->err = true;
		else
			w->len += n;
		return;
	}
	if (w->cap - w->len <= n) {	/* keep room for the NUL */
		w->err = true;
		return;
	}
	memcpy(w->buf + w->len, s, n);
	w->len += n;
	w->buf[w->len] = '\0';
}

static void
jw_puts(struct jw *w, const char *s)
{
	jw_put(w, s, strlen(s));
}

static void
jw_newline(struct jw *w, unsigned depth)
{
	unsigned i;

	if (!w->pretty)
		return;
	jw_put(w, "\n", 1);
	for (i = 0; i < depth; i++)
		jw_put(w, "  ", 2);
}

/* Start a new item in the current array, or at top level. */
static void
jw_item(struct jw *w)
{
	if (w->depth == 0)
		return;
	if (w->has_item[w->depth - 1])
		jw_put(w, ",", 1);
	w->has_item[w->depth - 1] = true;
	jw_newline(w, w->depth);
}

/* Check that a value may go here and write what precedes it. */
static bool
jw_pre_value(struct jw *w)
{
	if (w->err)
		return false;
	if (w->depth == 0) {
		if (w->done)
			w->err = true;
	} else if (w->in_obj[w->depth - 1]) {
		if (!w->key_done)
			w->err = true;
		w->key_done = false;
	} else
		jw_item(w);
	return !w->err;
}

/* A scalar value was written. */
static void
jw_post_value(struct jw *w)
{
	if (w->depth == 0)
		w->done = true;
}

/* Return the length of the valid UTF-8 sequence at s, or 0. */
static size_t
jw_utf8_len(const unsigned char *s, size_t n)
{
	size_t need, i;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		need = 2;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		need = 3;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		need = 4;
	else
		return 0;
	if (n < need)
		return 0;
	for (i = 1; i < need; i++)
		if ((s[i] & 0xc0) != 0x80)
			return 0;
	if ((s[0] == 0xe0 && s[1] < 0xa0) ||	/* overlong */
	    (s[0] == 0xed && s[1] > 0x9f) ||	/* surrogate */
	    (s[0] == 0xf0 && s[1] < 0x90) ||	/* overlong */
	    (s[0] == 0xf4 && s[1] > 0x8f))	/* above U+10FFFF */
		return 0;
	return need;
}

/* Write s[0..n) as a quoted, escaped JSON string. */
static void
jw_quoted(struct jw *w, const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;
	char esc[8];
	size_t i = 0, k;

	jw_put(w, "\"", 1);
	while (i < n) {
		unsigned char c = p[i];

		if (c == '"' || c == '\\') {
			esc[0] = '\\';
			esc[1] = (char)c;
			jw_put(w, esc, 2);
			i++;
		} else if (c < 0x20) {
			switch (c) {
			case '\n': jw_put(w, "\\n", 2); break;
			case '\r': jw_put(w, "\\r", 2); break;
			case '\t': jw_put(w, "\\t", 2); break;
			case '\b': jw_put(w, "\\b", 2); break;
			case '\f': jw_put(w, "\\f", 2); break;
			default:
				snprintf(esc, sizeof(esc), "\\u%04x", c);
				jw_put(w, esc, 6);
				break;
			}
			i++;
		} else if ((k = jw_utf8_len(p + i, n - i)) == 0) {
			jw_put(w, "\\ufffd", 6);
			i++;
		} else {
			jw_put(w, s + i, k);
			i += k;
		}
	}
	jw_put(w, "\"", 1);
}

static void
jw_open(struct jw *w, bool obj)
{
	if (!jw_pre_value(w))
		return;
	if (w->depth >= JW_DEPTH_MAX) {
		w->err = true;
		return;
	}
	jw_put(w, obj ? "{" : "[", 1);
	w->in_obj[w->depth] = obj;
	w->has_item[w->depth] = false;
	w->depth++;
}

static void
jw_close(struct jw *w, bool obj)
{
	if (w->err)
		return;
	if (w->depth == 0 || w->in_obj[w->depth - 1] != obj || w->key_done) {
		w->err = true;
		return;
	}
	w->depth--;
	if (w->has_item[w->depth])
		jw_newline(w, w->depth);
	jw_put(w, obj ? "}" : "]", 1);
	jw_post_value(w);
}

void
jw_obj_begin(struct jw *w)
{
	jw_open(w, true);
}

void
jw_obj_end(struct jw *w)
{
	jw_close(w, true);
}

void
jw_arr_begin(struct jw *w)
{
	jw_open(w, false);
}

void
jw_arr_end(struct jw *w)
{
	jw_close(w, false);
}

void
jw_key(struct jw *w, const char *key)
{
	if (w->err)
		return;
	if (w->depth == 0 || !w->in_obj[w->depth - 1] || w->key_done) {
		w->err = true;
		return;
	}
	if (w->has_item[w->depth - 1])
		jw_put(w, ",", 1);
	w->has_item[w->depth - 1] = true;
	jw_newline(w, w->depth);
	jw_quoted(w, key, strlen(key));
	jw_put(w, w->pretty ? ": " : ":", w->pretty ? 2 : 1);
	w->key_done = true;
}

void
jw_strn(struct jw *w, const char *s, size_t n)
{
	if (!jw_pre_value(w))
		return;
	jw_quoted(w, s, n);
	jw_post_value(w);
}

void
jw_str(struct jw *w, const char *s)
{
	jw_strn(w, s, strlen(s));
}

void
jw_int(struct jw *w, long long v)
{
	char num[32];

	if (!jw_pre_value(w))
		return;
	snprintf(num, sizeof(num), "%lld", v);
	jw_puts(w, num);
	jw_post_value(w);
}

void
jw_uint(struct jw *w, unsigned long long v)
{
	char num[32];

	if (!jw_pre_value(w))
		return;
	snprintf(num, sizeof(num), "%llu", v);
	jw_puts(w, num);
	jw_post_value(w);
}

void
jw_double(struct jw *w, double v)
{
	char num[40];

	if (!jw_pre_value(w))
		return;
	if (isfinite(v)) {
		snprintf(num, sizeof(num), "%.17g", v);
		jw_puts(w, num);
	} else
		jw_puts(w, "null");
	jw_post_value(w);
}

void
jw_bool(struct jw *w, bool v)
{
	if (!jw_pre_value(w))
		return;
	jw_puts(w, v ? "true" : "false");
	jw_post_value(w);
}

void
jw_null(struct jw *w)
{
	if (!jw_pre_value(w))
		return;
	jw_puts(w, "null");
	jw_post_value(w);
}

void
jw_hex(struct jw *w, const uint8_t *p, size_t n, char sep)
{
	static const char digits[] = "0123456789abcdef";
	char o[3];
	size_t i;

	if (!jw_pre_value(w))
		return;
	jw_put(w, "\"", 1);
	for (i = 0; i < n; i++) {
		size_t k = 0;

		if (i > 0 && sep != '\0')
			o[k++] = sep;
		o[k++] = digits[p[i] >> 4];
		o[k++] = digits[p[i] & 0x0f];
		jw_put(w, o, k);
	}
	jw_put(w, "\"", 1);
	jw_post_value(w);
}

void
jw_kv_str(struct jw *w, const char *key, const char *s)
{
	jw_key(w, key);
	jw_str(w, s);
}

void
jw_kv_int(struct jw *w, const char *key, long long v)
{
	jw_key(w, key);
	jw_int(w, v);
}

void
jw_kv_uint(struct jw *w, const char *key, unsigned long long v)
{
	jw_key(w, key);
	jw_uint(w, v);
}

void
jw_kv_bool(struct jw *w, const char *key, bool v)
{
	jw_key(w, key);
	jw_bool(w, v);
}

void
jw_kv_hex(struct jw *w, const char *key, const uint8_t *p, size_t n,
    char sep)
{
	jw_key(w, key);
	jw_hex(w, p, n, sep);
}

int
jw_finish(struct jw *w)
{
	if (w->f != NULL && !w->err && (fflush(w->f) != 0 || ferror(w->f)))
		w->err = true;
	if (w->err || w->depth != 0 || !w->done)
		return -1;
	return 0;
}
