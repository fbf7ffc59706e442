/*
 * The Device UUID behind device.uuid = "generate": made once (random,
 * RFC 4122 version 4), kept as text in <state_dir>/uuid, and read back on
 * every later start so that it never changes.  Also the writer of every
 * small file in state_dir (cfg_state_write).
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include "router/cfg_int.h"

#define UUID_FILE	"uuid"

static void
uuid_text(const uint8_t b[16], char out[38])
{
	snprintf(out, 37, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-"
	    "%02x%02x%02x%02x%02x%02x", b[0], b[1], b[2], b[3], b[4], b[5],
	    b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13], b[14], b[15]);
}

static int
uuid_read(const char *path, uint8_t out[16], struct cfg_errs *e)
{
	char buf[64];
	struct cfg_uuid u;
	size_t n;
	FILE *fp = fopen(path, "r");

	if (fp == NULL)
		return errno == ENOENT ? 1 : (cfg_err_add(e, path, NULL,
		    "cannot open: %s", strerror(errno)), -1);
	n = fread(buf, 1, sizeof(buf) - 1, fp);
	fclose(fp);
	buf[n] = '\0';
	if (n > 0 && buf[n - 1] == '\n')
		buf[--n] = '\0';
	if (cfg_parse_uuid(buf, &u) != 0 || u.generate) {
		cfg_err_add(e, path, NULL, "does not hold a UUID "
		    "(xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx); remove it to "
		    "make a new one");
		return -1;
	}
	memcpy(out, u.b, 16);
	return 0;
}

int
cfg_state_write(const char *dir, const char *name, const char *text,
    char *err, size_t errlen)
{
	char path[4200], tmp[4210];
	int fd;

	if (snprintf(path, sizeof(path), "%s/%s", dir, name) >=
	    (int)sizeof(path)) {
		snprintf(err, errlen, "%s: path too long", dir);
		return -1;
	}
	if (mkdir(dir, 0750) != 0 && errno != EEXIST) {
		snprintf(err, errlen, "%s: cannot create the state folder: %s",
		    dir, strerror(errno));
		return -1;
	}
	snprintf(tmp, sizeof(tmp), "%s.new", path);
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0 || dprintf(fd, "%s", text) < 0 || fsync(fd) != 0) {
		snprintf(err, errlen, "%s: cannot write: %s", tmp,
		    strerror(errno));
		if (fd >= 0)
			close(fd);
		unlink(tmp);
		return -1;
	}
	close(fd);
	if (rename(tmp, path) != 0) {
		snprintf(err, errlen, "%s: cannot create: %s", path,
		    strerror(errno));
		unlink(tmp);
		return -1;
	}
	return 0;
}

static int
uuid_create(const char *dir, uint8_t out[16], struct cfg_errs *e)
{
	char text[38], err[512];
	uint8_t b[16];

	if (getrandom(b, sizeof(b), 0) != (ssize_t)sizeof(b)) {
		cfg_err_add(e, NULL, NULL, "getrandom: %s", strerror(errno));
		return -1;
	}
	b[6] = (uint8_t)((b[6] & 0x0f) | 0x40);	/* version 4 */
	b[8] = (uint8_t)((b[8] & 0x3f) | 0x80);	/* RFC 4122 variant */
	uuid_text(b, text);
	strcat(text, "\n");
	if (cfg_state_write(dir, UUID_FILE, text, err, sizeof(err)) != 0) {
		cfg_err_add(e, NULL, NULL, "%s", err);
		return -1;
	}
	memcpy(out, b, 16);
	return 0;
}

int
cfg_device_uuid(const struct cfg *c, uint8_t out[16], struct cfg_errs *e)
{
	char path[4100];
	int rc;

	if (!c->device.uuid.generate) {
		memcpy(out, c->device.uuid.b, 16);
		return 0;
	}
	if (snprintf(path, sizeof(path), "%s/%s", c->state_dir, UUID_FILE) >=
	    (int)sizeof(path)) {
		cfg_err_add(e, NULL, "state_dir", "path too long");
		return -1;
	}
	rc = uuid_read(path, out, e);
	if (rc <= 0)
		return rc;
	return uuid_create(c->state_dir, out, e);
}
