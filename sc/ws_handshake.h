/*
 * The two hashing/random steps of the WebSocket handshake that need
 * OpenSSL; the parsing lives in ws_handshake_codec.h.
 */
#ifndef SC_WS_HANDSHAKE_H
#define SC_WS_HANDSHAKE_H

#include "sc/ws_handshake_codec.h"

/*
 * Write the Sec-WebSocket-Accept value for key (WSH_KEY_LEN characters):
 * base64(SHA-1(key + RFC 6455 GUID)), NUL-terminated.  Return 0 or -1.
 */
int ws_handshake_accept(const char *key, char out[WSH_ACCEPT_LEN + 1]);

/* Write a fresh random Sec-WebSocket-Key, NUL-terminated.  Return 0 or -1. */
int ws_handshake_new_key(char out[WSH_KEY_LEN + 1]);

#endif
