/*
 * bacsc-decode: read one message as hex (arguments or standard input) and
 * print it as one JSON object, or say at which offset and why it could not
 * be decoded.  Each protocol layer is one entry of the decoders table; the
 * datalink printers add theirs there.
 */
#include "config.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/hex.h"
#include "lib/jsonw.h"
#include "tools/decode.h"

#define PROG		"bacsc-decode"
#define MSG_MAX		65536		/* octets of one message */
#define TEXT_MAX	(1024 * 1024)	/* characters of hex input */

enum { EXIT_DECODE = 1, EXIT_USAGE = 2 };

struct decoder {
	const char	*option;
	const char	*name;		/* in error messages */
	const char	*help;
	decode_json_fn	 fn;
};

/* One line per protocol layer. */
static const struct decoder decoders[] = {
	{ "--npdu", "npdu", "an NPDU, version octet first", decode_npdu_json },
	{ "--sc", "sc", "a BVLC-SC message (one WebSocket message)",
	    decode_sc_json },
	{ "--bip", "bip", "a BACnet/IP BVLL datagram (0x81 first) and its NPDU",
	    decode_bip_json },
};

#define NDECODERS	(sizeof(decoders) / sizeof(decoders[0]))

static void
usage(FILE *f)
{
	size_t i;

	fprintf(f, "usage: %s MODE [--pretty] [HEX ...]\n"
	    "Decode one message given as hex (the arguments, or standard "
	    "input if there\nare none; spaces, newlines and ':' between "
	    "octets are allowed) and print it\nas one JSON object.\n"
	    "Modes:\n", PROG);
	for (i = 0; i < NDECODERS; i++)
		fprintf(f, "  %-10s %s\n", decoders[i].option,
		    decoders[i].help);
	fprintf(f, "Options:\n"
	    "  --pretty   indent the JSON\n"
	    "  -h, --help this text\n"
	    "Exit status: 0 decoded, 1 the message is malformed, "
	    "2 usage or hex error.\n");
}

/* Append s (and a space) to the growing text; return 0 or -1. */
static int
text_append(char *text, size_t *len, const char *s)
{
	size_t n = strlen(s);

	if (n + 1 >= TEXT_MAX - *len)
		return -1;
	memcpy(text + *len, s, n);
	*len += n;
	text[(*len)++] = ' ';
	text[*len] = '\0';
	return 0;
}

/* Read all of standard input into text; return 0 or -1. */
static int
text_read_stdin(char *text, size_t *len)
{
	size_t n;

	while ((n = fread(text + *len, 1, TEXT_MAX - 1 - *len, stdin)) > 0)
		*len += n;
	text[*len] = '\0';
	if (ferror(stdin) || !feof(stdin))
		return -1;
	if (memchr(text, '\0', *len) != NULL)
		return -1;
	return 0;
}

/* Decode, print the JSON on success, the error otherwise. */
static int
run(const struct decoder *d, const uint8_t *msg, size_t len, bool pretty)
{
	size_t cap = 64 * len + 4096;
	char *out = malloc(cap);
	struct decode_err err = { 0, "internal: no reason given" };
	struct jw w;
	int rc;

	if (out == NULL) {
		fprintf(stderr, "%s: out of memory\n", PROG);
		return EXIT_USAGE;
	}
	jw_init_buf(&w, out, cap);
	jw_set_pretty(&w, pretty);
	if (d->fn(&w, msg, len, &err) != 0) {
		fprintf(stderr, "%s: %s: offset %zu: %s\n", PROG, d->name,
		    err.off, err.why);
		rc = EXIT_DECODE;
	} else if (jw_finish(&w) != 0) {
		fprintf(stderr, "%s: %s: internal error writing JSON\n", PROG,
		    d->name);
		rc = EXIT_DECODE;
	} else {
		printf("%s\n", out);
		rc = fflush(stdout) == 0 ? EXIT_SUCCESS : EXIT_USAGE;
	}
	free(out);
	return rc;
}

int
main(int argc, char **argv)
{
	const struct decoder *d = NULL;
	static uint8_t msg[MSG_MAX];
	char *text;
	size_t tlen = 0, i, off = 0;
	bool pretty = false, have_args = false;
	long n;
	int a, rc;

	text = malloc(TEXT_MAX);
	if (text == NULL) {
		fprintf(stderr, "%s: out of memory\n", PROG);
		return EXIT_USAGE;
	}
	text[0] = '\0';
	for (a = 1; a < argc; a++) {
		const char *arg = argv[a];

		if (strcmp(arg, "-h") == 0 || strcmp(arg, "--help") == 0) {
			usage(stdout);
			free(text);
			return EXIT_SUCCESS;
		}
		if (strcmp(arg, "--pretty") == 0) {
			pretty = true;
			continue;
		}
		if (arg[0] != '-') {
			have_args = true;
			if (text_append(text, &tlen, arg) != 0) {
				fprintf(stderr, "%s: input too long\n", PROG);
				free(text);
				return EXIT_USAGE;
			}
			continue;
		}
		for (i = 0; i < NDECODERS; i++)
			if (strcmp(arg, decoders[i].option) == 0)
				break;
		if (i == NDECODERS) {
			fprintf(stderr, "%s: unknown option '%s' "
			    "(try --help)\n", PROG, arg);
			free(text);
			return EXIT_USAGE;
		}
		if (d != NULL && d != &decoders[i]) {
			fprintf(stderr, "%s: give only one of %s and %s\n",
			    PROG, d->option, arg);
			free(text);
			return EXIT_USAGE;
		}
		d = &decoders[i];
	}
	if (d == NULL) {
		fprintf(stderr, "%s: say what to decode (try --help)\n", PROG);
		free(text);
		return EXIT_USAGE;
	}
	if (!have_args && text_read_stdin(text, &tlen) != 0) {
		fprintf(stderr, "%s: cannot read standard input (or it is "
		    "longer than %d characters or not text)\n", PROG,
		    TEXT_MAX - 1);
		free(text);
		return EXIT_USAGE;
	}
	n = hex_decode(text, msg, sizeof(msg), &off);
	if (n < 0) {
		fprintf(stderr, "%s: bad hex input at character %zu (odd "
		    "number of digits, a non-hex character, or more than %d "
		    "octets)\n", PROG, off, MSG_MAX);
		free(text);
		return EXIT_USAGE;
	}
	free(text);
	if (n == 0) {
		fprintf(stderr, "%s: no hex input\n", PROG);
		return EXIT_USAGE;
	}
	rc = run(d, msg, (size_t)n, pretty);
	return rc;
}
