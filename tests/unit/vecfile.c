#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/hex.h"
#include "tests/unit/vecfile.h"

static char *
vec_trim(char *s)
{
	char *e;

	while (*s == ' ' || *s == '\t')
		s++;
	e = s + strlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\n' ||
	    e[-1] == '\r'))
		*--e = '\0';
	return s;
}

static void
vec_record_free(struct vec_record *r)
{
	size_t i;

	free(r->name);
	free(r->kind);
	free(r->bytes);
	free(r->source);
	for (i = 0; i < r->nkv; i++) {
		free(r->kv[i].key);
		free(r->kv[i].value);
	}
	free(r->kv);
	memset(r, 0, sizeof(*r));
}

void
vec_file_free(struct vec_file *vf)
{
	size_t i;

	for (i = 0; i < vf->n; i++)
		vec_record_free(&vf->rec[i]);
	free(vf->rec);
	vf->rec = NULL;
	vf->n = 0;
}

static int
vec_parse_expect(struct vec_record *r, char *v)
{
	char *item, *save = NULL;

	for (item = strtok_r(v, ";", &save); item != NULL;
	    item = strtok_r(NULL, ";", &save)) {
		char *eq, *key, *val;
		struct vec_kv *kv;

		item = vec_trim(item);
		if (*item == '\0')
			continue;
		if ((eq = strchr(item, '=')) == NULL)
			return -1;
		*eq = '\0';
		key = vec_trim(item);
		val = vec_trim(eq + 1);
		kv = realloc(r->kv, (r->nkv + 1) * sizeof(*kv));
		if (kv == NULL)
			return -1;
		r->kv = kv;
		r->kv[r->nkv].key = strdup(key);
		r->kv[r->nkv].value = strdup(val);
		r->nkv++;
	}
	return 0;
}

static int
vec_field(struct vec_record *r, const char *key, char *val)
{
	if (strcmp(key, "name") == 0)
		r->name = strdup(val);
	else if (strcmp(key, "kind") == 0)
		r->kind = strdup(val);
	else if (strcmp(key, "valid") == 0) {
		if (strcmp(val, "yes") != 0 && strcmp(val, "no") != 0)
			return -1;
		r->valid = strcmp(val, "yes") == 0;
	} else if (strcmp(key, "hex") == 0) {
		size_t cap = strlen(val) / 2 + 1;
		long n;

		r->bytes = malloc(cap);
		if (r->bytes == NULL)
			return -1;
		n = hex_decode(val, r->bytes, cap, NULL);
		if (n < 0)
			return -1;
		r->len = (size_t)n;
	} else if (strcmp(key, "expect") == 0)
		return vec_parse_expect(r, val);
	else if (strcmp(key, "source") == 0)
		r->source = strdup(val);
	else
		return -1;
	return 0;
}

int
vec_file_load(const char *path, struct vec_file *vf, char *err, size_t errlen)
{
	FILE *f;
	char line[16384];
	struct vec_record cur;
	int lineno = 0, in_rec = 0;

	memset(vf, 0, sizeof(*vf));
	memset(&cur, 0, sizeof(cur));
	if ((f = fopen(path, "r")) == NULL) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	while (fgets(line, sizeof(line), f) != NULL) {
		char *colon, *key, *val;

		lineno++;
		key = vec_trim(line);
		if (*key == '\0' || *key == '#')
			continue;
		if ((colon = strchr(key, ':')) == NULL)
			goto bad;
		*colon = '\0';
		val = vec_trim(colon + 1);
		if (strcmp(key, "name") == 0) {
			if (in_rec)
				goto bad;	/* previous record had no source */
			in_rec = 1;
			cur.line = lineno;
		} else if (!in_rec)
			goto bad;
		if (vec_field(&cur, key, val) != 0)
			goto bad;
		if (strcmp(key, "source") == 0) {
			struct vec_record *nr;

			if (cur.name == NULL || cur.kind == NULL ||
			    cur.bytes == NULL)
				goto bad;
			nr = realloc(vf->rec, (vf->n + 1) * sizeof(*nr));
			if (nr == NULL)
				goto bad;
			vf->rec = nr;
			vf->rec[vf->n++] = cur;
			memset(&cur, 0, sizeof(cur));
			in_rec = 0;
		}
	}
	fclose(f);
	if (in_rec) {
		snprintf(err, errlen, "%s: record at line %d has no source",
		    path, cur.line);
		vec_record_free(&cur);
		vec_file_free(vf);
		return -1;
	}
	return 0;
bad:
	snprintf(err, errlen, "%s:%d: bad line", path, lineno);
	fclose(f);
	vec_record_free(&cur);
	vec_file_free(vf);
	return -1;
}

const char *
vec_get(const struct vec_record *r, const char *key)
{
	size_t i;

	for (i = 0; i < r->nkv; i++)
		if (strcmp(r->kv[i].key, key) == 0)
			return r->kv[i].value;
	return NULL;
}

long long
vec_get_int(const struct vec_record *r, const char *key)
{
	const char *v = vec_get(r, key);
	char *end;
	long long n;

	if (v == NULL || *v == '\0')
		return -1;
	errno = 0;
	n = strtoll(v, &end, 0);
	if (errno != 0 || *end != '\0' || n < 0)
		return -1;
	return n;
}

long
vec_get_bytes(const struct vec_record *r, const char *key, uint8_t *out,
    size_t cap)
{
	const char *v = vec_get(r, key);

	if (v == NULL)
		return -1;
	return hex_decode(v, out, cap, NULL);
}
