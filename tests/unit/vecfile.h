/*
 * Reader for the byte-vector files in the tests/vectors .vec files (format in
 * tests/vectors/README.md): records of name, kind, valid, hex, expect,
 * source.  Used by the codec tests so new records need no new code.
 */
#ifndef TESTS_UNIT_VECFILE_H
#define TESTS_UNIT_VECFILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct vec_kv {
	char	*key;
	char	*value;
};

struct vec_record {
	char		*name;
	char		*kind;
	bool		 valid;
	uint8_t		*bytes;
	size_t		 len;
	struct vec_kv	*kv;		/* the expect items, in file order */
	size_t		 nkv;
	char		*source;
	int		 line;		/* line of the name field */
};

struct vec_file {
	struct vec_record	*rec;
	size_t			 n;
};

/*
 * Load every record of path into vf (returns owned; free with
 * vec_file_free).  Return 0, or -1 with a message in err on a format error.
 */
int vec_file_load(const char *path, struct vec_file *vf, char *err,
    size_t errlen);
void vec_file_free(struct vec_file *vf);

/* Return the expect value of key, or NULL when the record has none. */
const char *vec_get(const struct vec_record *r, const char *key);
/* Parse an integer value (decimal or 0x hex); -1 if absent or malformed. */
long long vec_get_int(const struct vec_record *r, const char *key);
/*
 * Decode a byte-string or MAC-like value (hex, ':' allowed) into out;
 * return the length or -1.
 */
long vec_get_bytes(const struct vec_record *r, const char *key, uint8_t *out,
    size_t cap);

#endif
