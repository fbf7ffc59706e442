/* Common status codes for every pure decoder in the tree. */
#ifndef LIB_CODEC_H
#define LIB_CODEC_H

enum codec_rc {
	CODEC_OK = 0,		/* one complete unit decoded */
	CODEC_SHORT,		/* the data ends inside a field; nothing consumed */
	CODEC_MALFORMED,	/* reject; the caller decides reply, log or drop */
	CODEC_UNSUPPORTED,	/* well formed, but not handled here */
};

/* Return a fixed lower-case name for rc ("ok", "short", ...). */
const char *codec_rc_name(enum codec_rc rc);

#endif
