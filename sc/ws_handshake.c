/* Sec-WebSocket-Key / Sec-WebSocket-Accept with OpenSSL. */
#include "config.h"

#include <string.h>

#include <openssl/evp.h>
#include <openssl/rand.h>
#include <openssl/sha.h>

#include "sc/ws_handshake.h"

static const char ws_guid[] = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

int
ws_handshake_accept(const char *key, char out[WSH_ACCEPT_LEN + 1])
{
	unsigned char buf[WSH_KEY_LEN + sizeof(ws_guid)];
	unsigned char md[SHA_DIGEST_LENGTH];

	if (key == NULL || strlen(key) != WSH_KEY_LEN)
		return -1;
	memcpy(buf, key, WSH_KEY_LEN);
	memcpy(buf + WSH_KEY_LEN, ws_guid, sizeof(ws_guid) - 1);
	if (EVP_Digest(buf, WSH_KEY_LEN + sizeof(ws_guid) - 1, md, NULL,
	    EVP_sha1(), NULL) != 1)
		return -1;
	if (EVP_EncodeBlock((unsigned char *)out, md, sizeof(md)) !=
	    WSH_ACCEPT_LEN)
		return -1;
	out[WSH_ACCEPT_LEN] = '\0';
	return 0;
}

int
ws_handshake_new_key(char out[WSH_KEY_LEN + 1])
{
	unsigned char nonce[16];

	if (RAND_bytes(nonce, sizeof(nonce)) != 1)
		return -1;
	if (EVP_EncodeBlock((unsigned char *)out, nonce, sizeof(nonce)) !=
	    WSH_KEY_LEN)
		return -1;
	out[WSH_KEY_LEN] = '\0';
	return 0;
}
