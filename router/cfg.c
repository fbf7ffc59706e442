/*
 * Loading the configuration: libconfig parses the text, then the setting
 * table (cfg_table.c) drives type, format and range checks and fills a
 * struct cfg.  Every problem is recorded; nothing stops at the first.
 */
#include "config.h"

#include <errno.h>
#include <libconfig.h>
#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "lib/log.h"
#include "router/cfg_int.h"

#define CFG_FILE_MAX	(1024 * 1024)	/* refuse larger config files */
#define PATH_LEN	256

/* ------------------------------------------------------------- errors */

void
cfg_errs_init(struct cfg_errs *e)
{
	memset(e, 0, sizeof(*e));
}

void
cfg_errs_fini(struct cfg_errs *e)
{
	size_t i;

	for (i = 0; i < e->n; i++) {
		free(e->v[i].where);
		free(e->v[i].path);
		free(e->v[i].msg);
	}
	free(e->v);
	memset(e, 0, sizeof(*e));
}

static void
err_vadd(struct cfg_errs *e, const char *where, const char *path,
    const char *fmt, va_list ap) __attribute__((format(printf, 4, 0)));

static void
err_vadd(struct cfg_errs *e, const char *where, const char *path,
    const char *fmt, va_list ap)
{
	char msg[1024];
	struct cfg_err *ne;

	if (e == NULL)
		return;
	if (e->n == e->cap) {
		size_t cap = e->cap != 0 ? e->cap * 2 : 16;

		ne = realloc(e->v, cap * sizeof(*ne));
		if (ne == NULL)
			return;
		e->v = ne;
		e->cap = cap;
	}
	vsnprintf(msg, sizeof(msg), fmt, ap);
	ne = &e->v[e->n];
	ne->where = where != NULL ? strdup(where) : NULL;
	ne->path = path != NULL && path[0] != '\0' ? strdup(path) : NULL;
	ne->msg = strdup(msg);
	if (ne->msg == NULL) {
		free(ne->where);
		free(ne->path);
		return;
	}
	e->n++;
}

void
cfg_err_add(struct cfg_errs *e, const char *where, const char *path,
    const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	err_vadd(e, where, path, fmt, ap);
	va_end(ap);
}

const char *
cfg_err_text(const struct cfg_errs *e, size_t i, char *buf, size_t len)
{
	const struct cfg_err *x = &e->v[i];

	snprintf(buf, len, "%s%s%s%s%s", x->where != NULL ? x->where : "",
	    x->where != NULL ? ": " : "", x->path != NULL ? x->path : "",
	    x->path != NULL ? ": " : "", x->msg);
	return buf;
}

void
cfg_errs_print(const struct cfg_errs *e, FILE *fp)
{
	char buf[2048];
	size_t i;

	for (i = 0; i < e->n; i++)
		fprintf(fp, "%s\n", cfg_err_text(e, i, buf, sizeof(buf)));
}

/* Is p equal to q or a setting below q ("a.b" under "a", "a[0]" under a)? */
static bool
path_under(const char *p, const char *q)
{
	size_t n = strlen(q);

	return strncmp(p, q, n) == 0 &&
	    (p[n] == '\0' || p[n] == '.' || p[n] == '[');
}

bool
cfg_errs_has_path(const struct cfg_errs *e, const char *path)
{
	size_t i;

	for (i = 0; i < e->n; i++)
		if (e->v[i].path != NULL && path_under(path, e->v[i].path))
			return true;
	return false;
}

static const struct cfg_loc *
loc_find(const struct cfg *c, const char *path)
{
	char p[PATH_LEN];
	size_t i;

	snprintf(p, sizeof(p), "%s", path);
	for (;;) {
		char *cut;

		for (i = 0; i < c->n_locs; i++)
			if (strcmp(c->locs[i].path, p) == 0)
				return &c->locs[i];
		cut = strrchr(p, '.');
		if (strrchr(p, '[') > cut)
			cut = strrchr(p, '[');
		if (cut == NULL)
			return NULL;
		*cut = '\0';
	}
}

unsigned
cfg_line_of(const struct cfg *c, const char *path)
{
	const struct cfg_loc *l = loc_find(c, path);

	return l != NULL ? l->line : 0;
}

void
cfg_err_at(struct cfg_errs *e, const struct cfg *c, const char *path,
    const char *fmt, ...)
{
	const struct cfg_loc *l = loc_find(c, path);
	char where[PATH_LEN + 32];
	va_list ap;

	if (l != NULL)
		snprintf(where, sizeof(where), "%s:%u", l->file, l->line);
	else if (c->file != NULL)
		snprintf(where, sizeof(where), "%s", c->file);
	va_start(ap, fmt);
	err_vadd(e, l != NULL || c->file != NULL ? where : NULL, path, fmt,
	    ap);
	va_end(ap);
}

/* ----------------------------------------------------- integer overflow */

/*
 * libconfig 1.5 silently truncates integer literals that do not fit 32
 * bits (99999999999 reads as 1215752191).  Before trusting an integer, we
 * look for such literals in the text ourselves, so "port = 4294967297"
 * is reported as out of range instead of becoming port 1.
 */
struct ovf {
	size_t		file;		/* index in ld.files; 0: main file */
	unsigned	line;
	char		name[32];	/* the setting the literal belongs to */
	char		text[24];
};

#define OVF_FILES	16	/* the main file and @include'd files */

struct ld {
	struct cfg		*c;
	struct cfg_errs		*errs;
	const char		*name;
	struct ovf		*ovf;
	size_t			 n_ovf;
	/* Scanned files as libconfig names them; [0] (main) is NULL. */
	char			*files[OVF_FILES];
	size_t			 n_files;
	unsigned		 nerr;
};

static void
ovf_note(struct ld *ld, size_t file, unsigned line, const char *name,
    const char *s, size_t n)
{
	struct ovf *o;

	if (ld->n_ovf >= 64)
		return;
	o = realloc(ld->ovf, (ld->n_ovf + 1) * sizeof(*o));
	if (o == NULL)
		return;
	ld->ovf = o;
	o = &o[ld->n_ovf++];
	o->file = file;
	o->line = line;
	snprintf(o->name, sizeof(o->name), "%s", name);
	if (n >= sizeof(o->text))
		n = sizeof(o->text) - 4;
	memcpy(o->text, s, n);
	o->text[n] = '\0';
	if (n == sizeof(o->text) - 4)
		strcat(o->text, "...");
}

static bool
is_ident(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || c == '_' || c == '-' || c == '*';
}

static void
ovf_scan(struct ld *ld, size_t file, const char *s)
{
	unsigned line = 1;
	char name[32] = "";

	while (*s != '\0') {
		if (*s == '\n') {
			line++;
			s++;
		} else if (*s == '#' || (s[0] == '/' && s[1] == '/')) {
			while (*s != '\0' && *s != '\n')
				s++;
		} else if (s[0] == '/' && s[1] == '*') {
			for (s += 2; *s != '\0' && !(s[0] == '*' && s[1] == '/');
			    s++)
				if (*s == '\n')
					line++;
			if (*s != '\0')
				s += 2;
		} else if (*s == '"') {
			for (s++; *s != '\0' && *s != '"'; s++) {
				if (*s == '\\' && s[1] != '\0')
					s++;
				if (*s == '\n')
					line++;
			}
			if (*s != '\0')
				s++;
		} else if (is_ident((unsigned char)*s) &&
		    !(*s >= '0' && *s <= '9') && *s != '-') {
			const char *b = s;

			while (is_ident((unsigned char)*s))
				s++;
			snprintf(name, sizeof(name), "%.*s", (int)(s - b), b);
		} else if ((*s >= '0' && *s <= '9') || ((*s == '-' ||
		    *s == '+') && s[1] >= '0' && s[1] <= '9')) {
			const char *b = s;
			char *end;
			long long v;

			errno = 0;
			v = strtoll(s, &end, (s[0] == '0' && (s[1] == 'x' ||
			    s[1] == 'X')) ? 16 : 10);
			s = end;
			while (is_ident((unsigned char)*s) || *s == '.' ||
			    *s == '+')
				s++;
			/* floats (.5, e3) and 64-bit literals (L) are fine */
			if (*end == '.' || *end == 'e' || *end == 'E' ||
			    *end == 'L')
				continue;
			if (errno == ERANGE || v > INT_MAX || v < INT_MIN)
				ovf_note(ld, file, line, name, b,
				    (size_t)(s - b));
		} else {
			s++;
		}
	}
}

static int read_text(const char *path, char **out, struct cfg_errs *errs);

/*
 * The index of file in ld->files (NULL: the main file, 0).  A file seen
 * for the first time (an @include'd one) is read and scanned now; one
 * that cannot be read again is not scanned.
 */
static size_t
ovf_file(struct ld *ld, const char *file)
{
	char *text;
	size_t i;

	if (file == NULL)
		return 0;
	for (i = 1; i < ld->n_files; i++)
		if (strcmp(ld->files[i], file) == 0)
			return i;
	if (ld->n_files >= OVF_FILES ||
	    (ld->files[ld->n_files] = strdup(file)) == NULL)
		return OVF_FILES;
	i = ld->n_files++;
	if (read_text(file, &text, NULL) == 0) {
		ovf_scan(ld, i, text);
		free(text);
	}
	return i;
}

/* The literal libconfig wrapped for setting name at file:line, or NULL. */
static const char *
ovf_at(struct ld *ld, const char *file, unsigned line, const char *name)
{
	size_t i, f = ovf_file(ld, file);

	for (i = 0; i < ld->n_ovf; i++)
		if (ld->ovf[i].file == f && ld->ovf[i].line == line &&
		    name != NULL && strcmp(ld->ovf[i].name, name) == 0)
			return ld->ovf[i].text;
	return NULL;
}

/* ------------------------------------------------------------- loading */

static void
where_of(const struct ld *ld, const config_setting_t *s, char *buf,
    size_t len)
{
	const char *f = config_setting_source_file(s);

	if (config_setting_source_line(s) == 0)
		snprintf(buf, len, "%s", f != NULL ? f : ld->name);
	else
		snprintf(buf, len, "%s:%u", f != NULL ? f : ld->name,
		    config_setting_source_line(s));
}

static void
lerr(struct ld *ld, const config_setting_t *s, const char *path,
    const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static void
lerr(struct ld *ld, const config_setting_t *s, const char *path,
    const char *fmt, ...)
{
	char where[PATH_LEN + 32];
	va_list ap;

	where_of(ld, s, where, sizeof(where));
	va_start(ap, fmt);
	err_vadd(ld->errs, where, path, fmt, ap);
	va_end(ap);
	ld->nerr++;
}

static void
loc_add(struct ld *ld, const config_setting_t *s, const char *path)
{
	struct cfg *c = ld->c;
	struct cfg_loc *l;
	const char *f = config_setting_source_file(s);

	l = realloc(c->locs, (c->n_locs + 1) * sizeof(*l));
	if (l == NULL)
		return;
	c->locs = l;
	l = &l[c->n_locs];
	l->path = strdup(path);
	l->file = strdup(f != NULL ? f : ld->name);
	l->line = config_setting_source_line(s);
	if (l->path == NULL || l->file == NULL) {
		free(l->path);
		free(l->file);
		return;
	}
	c->n_locs++;
}

/* The value of a scalar setting as text, for messages. */
static void
setting_text(const config_setting_t *s, char *buf, size_t len)
{
	switch (config_setting_type(s)) {
	case CONFIG_TYPE_INT:
		snprintf(buf, len, "%d", config_setting_get_int(s));
		break;
	case CONFIG_TYPE_INT64:
		snprintf(buf, len, "%lld", config_setting_get_int64(s));
		break;
	case CONFIG_TYPE_FLOAT:
		snprintf(buf, len, "%g", config_setting_get_float(s));
		if (strpbrk(buf, ".eni") == NULL && strlen(buf) + 3 < len)
			strcat(buf, ".0");
		break;
	case CONFIG_TYPE_BOOL:
		snprintf(buf, len, "%s",
		    config_setting_get_bool(s) ? "true" : "false");
		break;
	case CONFIG_TYPE_STRING:
		cfg_quote(config_setting_get_string(s), buf, len);
		break;
	case CONFIG_TYPE_GROUP:
		snprintf(buf, len, "a group { ... }");
		break;
	case CONFIG_TYPE_ARRAY:
		snprintf(buf, len, "an array [ ... ]");
		break;
	case CONFIG_TYPE_LIST:
		snprintf(buf, len, "a list ( ... )");
		break;
	default:
		snprintf(buf, len, "an empty value");
		break;
	}
}

static const char *
kind_expect(const struct cfg_field *f)
{
	switch (cfg_kind_shape(f->kind)) {
	case CS_BOOL:
		return "true or false";
	case CS_INT:
		return "an integer";
	case CS_STRLIST:
		return "an array of strings [ \"...\", ... ]";
	case CS_GROUP:
		return "a group { ... }";
	case CS_LIST:
		return "a list of groups ( { ... }, ... )";
	case CS_TEXT:
		return "a string";
	}
	return "?";
}

static void
names_text(const char *const *names, char *buf, size_t len)
{
	size_t n = 0, k;

	buf[0] = '\0';
	for (k = 0; names[k] != NULL && n < len; k++)
		n += (size_t)snprintf(buf + n, len - n, "%s\"%s\"",
		    k == 0 ? "" : names[k + 1] == NULL ? " or " : ", ",
		    names[k]);
}

static void load_group(struct ld *, const config_setting_t *,
    const struct cfg_table *, void *, const char *);

static void
load_int(struct ld *ld, const config_setting_t *s, const struct cfg_field *f,
    void *p, const char *path)
{
	const char *big;
	long long v;

	if (config_setting_type(s) == CONFIG_TYPE_INT64)
		v = config_setting_get_int64(s);
	else
		v = config_setting_get_int(s);
	big = ovf_at(ld, config_setting_source_file(s),
	    config_setting_source_line(s), config_setting_name(s));
	if (big != NULL) {
		lerr(ld, s, path, "%s is out of range (%lld..%lld)", big,
		    f->min, f->max);
		return;
	}
	if (v < f->min || v > f->max) {
		lerr(ld, s, path, "%lld is out of range (%lld..%lld)", v,
		    f->min, f->max);
		return;
	}
	if (f->kind == CK_U16)
		*(uint16_t *)p = (uint16_t)v;
	else
		*(uint32_t *)p = (uint32_t)v;
}

static void
load_enum(struct ld *ld, const config_setting_t *s, const struct cfg_field *f,
    void *p, const char *path)
{
	const char *v = config_setting_get_string(s);
	char q[300], allowed[128];
	int k;

	cfg_quote(v, q, sizeof(q));
	if (f->kind == CK_LEVEL) {
		if ((k = log_level_parse(v)) < 0) {
			lerr(ld, s, path, "%s is not one of \"err\", "
			    "\"warning\", \"notice\", \"info\" or \"debug\"", q);
			return;
		}
		*(int *)p = k;
		return;
	}
	for (k = 0; f->names[k] != NULL; k++)
		if (strcmp(f->names[k], v) == 0) {
			*(int *)p = k;
			return;
		}
	names_text(f->names, allowed, sizeof(allowed));
	lerr(ld, s, path, "%s is not one of %s", q, allowed);
}

/* A URI or a listen address. */
static void
load_endpoint(struct ld *ld, const config_setting_t *s,
    const struct cfg_field *f, void *p, const char *path)
{
	const char *v = config_setting_get_string(s), *why = "?";
	char q[300];
	struct cfg_uri u;
	struct cfg_listen l;

	cfg_quote(v, q, sizeof(q));
	if (f->kind == CK_URI) {
		if (cfg_parse_uri(v, &u, &why) != 0) {
			lerr(ld, s, path, "%s is not a valid URI: %s "
			    "(wss://host[:port][/path])", q, why);
			return;
		}
		cfg_uri_fini(p);
		*(struct cfg_uri *)p = u;
		return;
	}
	if (cfg_parse_listen(v, &l, &why) != 0) {
		lerr(ld, s, path, "%s is not a listen address: %s "
		    "(a.b.c.d:port, [v6]:port or *:port)", q, why);
		return;
	}
	cfg_listen_fini(p);
	*(struct cfg_listen *)p = l;
}

static void
load_str(struct ld *ld, const config_setting_t *s, const struct cfg_field *f,
    void *p, const char *path)
{
	const char *v = config_setting_get_string(s), *why = NULL;
	char q[300];
	size_t len = strlen(v);

	cfg_quote(v, q, sizeof(q));
	switch (f->kind) {
	case CK_STR:
	case CK_NAME:
		if (f->kind == CK_STR && (long long)len < f->min) {
			lerr(ld, s, path, "must not be empty");
			return;
		}
		if (f->kind == CK_STR && (long long)len > f->max) {
			lerr(ld, s, path, "%s is too long (at most %lld "
			    "characters)", q, f->max);
			return;
		}
		if (f->kind == CK_NAME && !cfg_name_is_valid(v)) {
			lerr(ld, s, path, "%s is not a valid name (1..%d "
			    "letters, digits, '_' or '-')", q, CFG_NAME_MAX);
			return;
		}
		free(*(char **)p);
		*(char **)p = strdup(v);
		return;
	case CK_ENUM:
	case CK_LEVEL:
		load_enum(ld, s, f, p, path);
		return;
	case CK_IP4:
		if (cfg_parse_ipv4(v, p) != 0)
			lerr(ld, s, path, "%s is not an IPv4 address "
			    "(a.b.c.d)", q);
		return;
	case CK_EP4:
		if (cfg_parse_ep4(v, CFG_BIP_PORT_DEFAULT, p) != 0)
			lerr(ld, s, path, "%s is not an IPv4 address with "
			    "optional port (a.b.c.d[:port], port 1..65535)", q);
		return;
	case CK_MASK:
		if (cfg_parse_mask(v, p) != 0)
			lerr(ld, s, path, "%s is not a contiguous netmask "
			    "(e.g. \"255.255.255.0\" or \"255.255.255.255\")",
			    q);
		return;
	case CK_VMAC:
	case CK_VMAC_FIXED:
		if (cfg_parse_vmac(v, f->kind == CK_VMAC, p, &why) != 0)
			lerr(ld, s, path, "%s is not allowed: %s", q, why);
		return;
	case CK_UUID:
		if (cfg_parse_uuid(v, p) != 0)
			lerr(ld, s, path, "%s is not \"generate\" or a UUID "
			    "(xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx)", q);
		return;
	case CK_URI:
	case CK_LISTEN:
		load_endpoint(ld, s, f, p, path);
		return;
	case CK_MODE:
		if (cfg_parse_mode(v, p) != 0)
			lerr(ld, s, path, "%s is not an octal file mode "
			    "(\"0000\"..\"0777\")", q);
		return;
	case CK_BOOL:
	case CK_U16:
	case CK_U32:
	case CK_STRLIST:
	case CK_GROUP:
	case CK_LIST:
		return;
	}
}

static void
load_strlist(struct ld *ld, const config_setting_t *s,
    const struct cfg_field *f, struct cfg_strlist *l, const char *path)
{
	int n = config_setting_length(s), i;
	char ep[PATH_LEN + 16];

	if (n < f->min || n > f->max) {
		lerr(ld, s, path, "has %d entries; %lld..%lld allowed", n,
		    f->min, f->max);
		return;
	}
	for (i = 0; i < n; i++) {
		const config_setting_t *e = config_setting_get_elem(s,
		    (unsigned)i);
		const char *v;
		char **nv;

		snprintf(ep, sizeof(ep), "%s[%d]", path, i);
		if (config_setting_type(e) != CONFIG_TYPE_STRING) {
			char t[64];

			setting_text(e, t, sizeof(t));
			lerr(ld, e, ep, "expected a string, got %s", t);
			continue;
		}
		v = config_setting_get_string(e);
		if (*v == '\0') {
			lerr(ld, e, ep, "must not be empty");
			continue;
		}
		if (strlen(v) > CFG_STR_MAX) {
			lerr(ld, e, ep, "is too long (at most %d characters)",
			    CFG_STR_MAX);
			continue;
		}
		nv = realloc(l->v, (l->n + 1) * sizeof(*nv));
		if (nv == NULL)
			return;
		l->v = nv;
		if ((l->v[l->n] = strdup(v)) != NULL)
			l->n++;
	}
}

static void
load_list(struct ld *ld, const config_setting_t *s,
    const struct cfg_field *f, void *obj, const char *path)
{
	int n = config_setting_length(s), i;
	size_t *cnt = (size_t *)((char *)obj + f->cnt_off);
	char **arr = CFG_AT(obj, f);
	char ep[PATH_LEN + 16];

	if (n > f->max) {
		lerr(ld, s, path, "has %d entries; at most %lld allowed", n,
		    f->max);
		return;
	}
	if (n == 0)
		return;
	*arr = calloc((size_t)n, f->sub->size);
	if (*arr == NULL)
		return;
	for (i = 0; i < n; i++) {
		const config_setting_t *e = config_setting_get_elem(s,
		    (unsigned)i);
		void *elem = *arr + (size_t)i * f->sub->size;

		snprintf(ep, sizeof(ep), "%s[%d]", path, i);
		cfg_obj_defaults(f->sub, elem);
		(*cnt)++;
		if (config_setting_type(e) != CONFIG_TYPE_GROUP) {
			char t[64];

			setting_text(e, t, sizeof(t));
			lerr(ld, e, ep, "expected a group { ... }, got %s", t);
			continue;
		}
		loc_add(ld, e, ep);
		load_group(ld, e, f->sub, elem, ep);
	}
}

static bool
type_ok(const struct cfg_field *f, int t)
{
	switch (cfg_kind_shape(f->kind)) {
	case CS_BOOL:
		return t == CONFIG_TYPE_BOOL;
	case CS_INT:
		return t == CONFIG_TYPE_INT || t == CONFIG_TYPE_INT64;
	case CS_STRLIST:
	case CS_LIST:
		return t == CONFIG_TYPE_ARRAY || t == CONFIG_TYPE_LIST;
	case CS_GROUP:
		return t == CONFIG_TYPE_GROUP;
	case CS_TEXT:
		return t == CONFIG_TYPE_STRING;
	}
	return false;
}

static void
load_field(struct ld *ld, const config_setting_t *s,
    const struct cfg_field *f, void *obj, const char *path)
{
	void *p = CFG_AT(obj, f);
	unsigned before = ld->nerr;

	if (!type_ok(f, config_setting_type(s))) {
		char t[300];

		setting_text(s, t, sizeof(t));
		lerr(ld, s, path, "expected %s, got %s", kind_expect(f), t);
		return;
	}
	switch (cfg_kind_shape(f->kind)) {
	case CS_BOOL:
		*(bool *)p = config_setting_get_bool(s) != 0;
		break;
	case CS_INT:
		load_int(ld, s, f, p, path);
		break;
	case CS_STRLIST:
		load_strlist(ld, s, f, p, path);
		break;
	case CS_GROUP:
		load_group(ld, s, f->sub, p, path);
		break;
	case CS_LIST:
		load_list(ld, s, f, obj, path);
		break;
	case CS_TEXT:
		load_str(ld, s, f, p, path);
		break;
	}
	/* A group with errors inside still counts as given. */
	if (f->set_off != 0 && (ld->nerr == before || f->kind == CK_GROUP))
		*(bool *)((char *)obj + f->set_off - 1) = true;
}

static void
unknown_setting(struct ld *ld, const config_setting_t *m,
    const struct cfg_table *t, const char *gpath)
{
	const char *nm = config_setting_name(m), *best = NULL;
	char path[PATH_LEN];
	unsigned bd = 3, d;
	size_t i;

	snprintf(path, sizeof(path), "%s%s%s", gpath, *gpath ? "." : "",
	    nm != NULL ? nm : "?");
	for (i = 0; nm != NULL && i < t->n; i++) {
		d = cfg_edit_distance(nm, t->f[i].name);
		if (d < bd) {
			bd = d;
			best = t->f[i].name;
		}
	}
	if (best != NULL && bd <= 2)
		lerr(ld, m, path, "unknown setting in %s (did you mean "
		    "\"%s\"?)", t->what, best);
	else
		lerr(ld, m, path, "unknown setting in %s", t->what);
}

static void
load_group(struct ld *ld, const config_setting_t *g,
    const struct cfg_table *t, void *obj, const char *gpath)
{
	int n = config_setting_length(g), i;
	char path[PATH_LEN];
	size_t k;

	for (i = 0; i < n; i++) {
		const config_setting_t *m = config_setting_get_elem(g,
		    (unsigned)i);
		const char *nm = config_setting_name(m);

		for (k = 0; k < t->n; k++)
			if (nm != NULL && strcmp(nm, t->f[k].name) == 0)
				break;
		if (k == t->n)
			unknown_setting(ld, m, t, gpath);
	}
	for (k = 0; k < t->n; k++) {
		const struct cfg_field *f = &t->f[k];
		const config_setting_t *m = config_setting_get_member(g,
		    f->name);

		snprintf(path, sizeof(path), "%s%s%s", gpath,
		    *gpath ? "." : "", f->name);
		if (m == NULL) {
			if (f->flags & CF_REQ)
				lerr(ld, g, path, "missing; this setting is "
				    "required");
			continue;
		}
		loc_add(ld, m, path);
		load_field(ld, m, f, obj, path);
	}
}

static struct cfg *
cfg_alloc_default(void)
{
	struct cfg *c = calloc(1, sizeof(*c));

	if (c != NULL)
		cfg_obj_defaults(&cfg_root_table, c);
	return c;
}

struct cfg *
cfg_new_default(void)
{
	return cfg_alloc_default();
}

void
cfg_free(struct cfg *c)
{
	size_t i;

	if (c == NULL)
		return;
	cfg_obj_fini(&cfg_root_table, c);
	for (i = 0; i < c->n_locs; i++) {
		free(c->locs[i].path);
		free(c->locs[i].file);
	}
	free(c->locs);
	free(c->file);
	free(c->dir);
	free(c);
}

/* Defaults that depend on other settings. */
static void
fill_derived(struct cfg *c)
{
	char buf[64];

	if (c->device.name == NULL) {
		snprintf(buf, sizeof(buf), "bacsc-router-%lu",
		    (unsigned long)c->device.instance);
		c->device.name = strdup(buf);
	}
}

/*
 * Parse text; name is the file's name for messages, incdir the folder
 * @include is relative to (as the file was named: messages name included
 * files the same way), dir the file's absolute folder (both may be NULL).
 */
static int
load_text(const char *text, const char *name, const char *incdir,
    const char *dir, struct cfg **out, struct cfg_errs *errs)
{
	struct ld ld;
	config_t lc;
	struct cfg *c;
	size_t i;
	int rc;

	memset(&ld, 0, sizeof(ld));
	ld.n_files = 1;
	config_init(&lc);
	if (incdir != NULL)
		config_set_include_dir(&lc, incdir);
	if (config_read_string(&lc, text) != CONFIG_TRUE) {
		const char *f = config_error_file(&lc);

		cfg_err_add(errs, NULL, NULL, "%s:%d: %s",
		    f != NULL ? f : name, config_error_line(&lc),
		    config_error_text(&lc));
		config_destroy(&lc);
		return -1;
	}
	if ((c = cfg_alloc_default()) == NULL ||
	    (c->file = strdup(name)) == NULL ||
	    (dir != NULL && (c->dir = strdup(dir)) == NULL)) {
		cfg_free(c);
		cfg_err_add(errs, name, NULL, "out of memory");
		config_destroy(&lc);
		return -1;
	}
	ld.c = c;
	ld.errs = errs;
	ld.name = name;
	ovf_scan(&ld, 0, text);
	load_group(&ld, config_root_setting(&lc), &cfg_root_table, c, "");
	fill_derived(c);
	rc = ld.nerr == 0 ? 0 : -1;
	free(ld.ovf);
	for (i = 1; i < ld.n_files; i++)
		free(ld.files[i]);
	config_destroy(&lc);
	*out = c;
	return rc;
}

int
cfg_load_string(const char *text, const char *name, struct cfg **out,
    struct cfg_errs *errs)
{
	return load_text(text, name, NULL, NULL, out, errs);
}

/*
 * Read the text file at path (at most CFG_FILE_MAX octets, no NUL) into
 * *out (returns owned).  Return 0, or -1 with the reason recorded.
 */
static int
read_text(const char *path, char **out, struct cfg_errs *errs)
{
	char *text;
	size_t n;
	FILE *fp;
	int rc = -1;

	if ((fp = fopen(path, "r")) == NULL) {
		cfg_err_add(errs, path, NULL, "cannot open: %s",
		    strerror(errno));
		return -1;
	}
	if ((text = malloc(CFG_FILE_MAX + 1)) == NULL) {
		cfg_err_add(errs, path, NULL, "out of memory");
		goto done;
	}
	n = fread(text, 1, CFG_FILE_MAX + 1, fp);
	if (ferror(fp))
		cfg_err_add(errs, path, NULL, "cannot read: %s",
		    strerror(errno));
	else if (n > CFG_FILE_MAX)
		cfg_err_add(errs, path, NULL, "larger than %d octets",
		    CFG_FILE_MAX);
	else if (memchr(text, '\0', n) != NULL)
		cfg_err_add(errs, path, NULL, "contains a NUL octet; not a "
		    "text file");
	else
		rc = 0;
	if (rc == 0) {
		text[n] = '\0';
		*out = text;
	} else {
		free(text);
	}
done:
	fclose(fp);
	return rc;
}

/*
 * The absolute folder of the file at path (returns owned), or NULL when
 * it cannot be found; relative names then stay relative to the working
 * directory.
 */
static char *
folder_of(const char *path)
{
	const char *slash = strrchr(path, '/');
	char *dir, *abs;

	if (slash == NULL)
		return realpath(".", NULL);
	if (slash == path)
		return strdup("/");
	if ((dir = strndup(path, (size_t)(slash - path))) == NULL)
		return NULL;
	abs = realpath(dir, NULL);
	free(dir);
	return abs;
}

int
cfg_load(const char *path, struct cfg **out, struct cfg_errs *errs)
{
	const char *slash = strrchr(path, '/');
	char *text = NULL, *incdir = NULL, *dir;
	int rc = -1;

	if (read_text(path, &text, errs) != 0)
		return -1;
	/* @include and file names are relative to the file's folder. */
	dir = folder_of(path);
	if (slash != NULL && (incdir = strndup(path, slash > path ?
	    (size_t)(slash - path) : 1)) == NULL)
		cfg_err_add(errs, path, NULL, "out of memory");
	else
		rc = load_text(text, path, incdir, dir, out, errs);
	free(incdir);
	free(dir);
	free(text);
	return rc;
}
