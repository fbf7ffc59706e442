/*
 * NPDU header codec (clause 6.2).  Pure: see npdu_codec.h.
 */
#include "config.h"

#include <string.h>

#include "npdu/npdu_codec.h"

/* Record a decode error and return rc. */
static enum codec_rc
npdu_fail(enum codec_rc rc, const char *msg, size_t off, const char **why,
    size_t *err_off)
{
	if (why != NULL)
		*why = msg;
	if (err_off != NULL)
		*err_off = off;
	return rc;
}

/* Decode DNET, DLEN and DADR (control bit 5 set). */
static enum codec_rc
npdu_decode_dest(struct rd *r, const uint8_t *buf, struct npdu_view *v,
    const char **why, size_t *err_off)
{
	size_t off = rd_offset(r, buf);

	if (rd_u16(r, &v->dnet) != 0)
		return npdu_fail(CODEC_SHORT, "truncated: DNET cut short", off,
		    why, err_off);
	if (v->dnet == 0)
		return npdu_fail(CODEC_MALFORMED, "bad-address: DNET is 0",
		    off, why, err_off);
	off = rd_offset(r, buf);
	if (rd_u8(r, &v->dlen) != 0)
		return npdu_fail(CODEC_SHORT, "truncated: DLEN missing", off,
		    why, err_off);
	if (v->dnet == NPDU_NET_GLOBAL && v->dlen != 0)
		return npdu_fail(CODEC_MALFORMED,
		    "bad-address: global DNET 0xFFFF with DLEN not 0", off, why,
		    err_off);
	if (rd_view(r, &v->dadr, v->dlen) != 0)
		return npdu_fail(CODEC_MALFORMED,
		    "bad-length: DLEN runs past the end of the NPDU", off, why,
		    err_off);
	if (v->dlen == 0)
		v->dadr = NULL;
	return CODEC_OK;
}

/* Decode SNET, SLEN and SADR (control bit 3 set). */
static enum codec_rc
npdu_decode_src(struct rd *r, const uint8_t *buf, struct npdu_view *v,
    const char **why, size_t *err_off)
{
	size_t off = rd_offset(r, buf);

	if (rd_u16(r, &v->snet) != 0)
		return npdu_fail(CODEC_SHORT, "truncated: SNET cut short", off,
		    why, err_off);
	if (v->snet == 0 || v->snet == NPDU_NET_GLOBAL)
		return npdu_fail(CODEC_MALFORMED,
		    "bad-address: SNET is 0 or 0xFFFF", off, why, err_off);
	off = rd_offset(r, buf);
	if (rd_u8(r, &v->slen) != 0)
		return npdu_fail(CODEC_SHORT, "truncated: SLEN missing", off,
		    why, err_off);
	if (v->slen == 0)
		return npdu_fail(CODEC_MALFORMED, "bad-address: SLEN is 0",
		    off, why, err_off);
	if (rd_view(r, &v->sadr, v->slen) != 0)
		return npdu_fail(CODEC_MALFORMED,
		    "bad-length: SLEN runs past the end of the NPDU", off, why,
		    err_off);
	return CODEC_OK;
}

enum codec_rc
npdu_decode(const uint8_t *buf, size_t len, struct npdu_view *out,
    const char **why, size_t *err_off)
{
	struct npdu_view v;
	struct rd r;
	enum codec_rc rc;
	uint8_t version;
	size_t off;

	memset(&v, 0, sizeof(v));
	rd_init(&r, buf, len);
	if (rd_u8(&r, &version) != 0)
		return npdu_fail(CODEC_SHORT, "truncated: no version octet", 0,
		    why, err_off);
	if (version != NPDU_VERSION)
		return npdu_fail(CODEC_MALFORMED,
		    "bad-version: protocol version is not 1", 0, why, err_off);
	if (rd_u8(&r, &v.control) != 0)
		return npdu_fail(CODEC_SHORT, "truncated: no control octet", 1,
		    why, err_off);
	if ((v.control & NPDU_CTL_RESERVED) != 0)
		return npdu_fail(CODEC_MALFORMED,
		    "reserved-bits: control bit 6 or 4 is set", 1, why,
		    err_off);
	v.has_dnet = (v.control & NPDU_CTL_DNET) != 0;
	v.has_snet = (v.control & NPDU_CTL_SNET) != 0;
	v.is_nl_msg = (v.control & NPDU_CTL_NL_MSG) != 0;
	if (v.has_dnet &&
	    (rc = npdu_decode_dest(&r, buf, &v, why, err_off)) != CODEC_OK)
		return rc;
	if (v.has_snet &&
	    (rc = npdu_decode_src(&r, buf, &v, why, err_off)) != CODEC_OK)
		return rc;
	off = rd_offset(&r, buf);
	if (v.has_dnet && rd_u8(&r, &v.hop_count) != 0)
		return npdu_fail(CODEC_SHORT, "truncated: hop count missing",
		    off, why, err_off);
	off = rd_offset(&r, buf);
	if (v.is_nl_msg) {
		if (rd_u8(&r, &v.nl_type) != 0)
			return npdu_fail(CODEC_SHORT,
			    "truncated: network message type missing", off, why,
			    err_off);
		off = rd_offset(&r, buf);
		if (v.nl_type >= NPDU_NL_PROPRIETARY_MIN &&
		    rd_u16(&r, &v.vendor_id) != 0)
			return npdu_fail(CODEC_SHORT,
			    "truncated: vendor ID of a proprietary message cut "
			    "short", off, why, err_off);
	}
	v.hdr_len = rd_offset(&r, buf);
	v.payload_len = r.left;
	v.payload = r.left > 0 ? r.p : NULL;
	*out = v;
	return CODEC_OK;
}

bool
npdu_view_is_valid(const struct npdu_view *v)
{
	if (v->has_dnet) {
		if (v->dnet == 0)
			return false;
		if (v->dnet == NPDU_NET_GLOBAL && v->dlen != 0)
			return false;
		if (v->dlen > 0 && v->dadr == NULL)
			return false;
	}
	if (v->has_snet) {
		if (v->snet == 0 || v->snet == NPDU_NET_GLOBAL)
			return false;
		if (v->slen == 0 || v->sadr == NULL)
			return false;
	}
	if (v->payload_len > 0 && v->payload == NULL)
		return false;
	return true;
}

void
npdu_view_init(struct npdu_view *v)
{
	memset(v, 0, sizeof(*v));
}

void
npdu_view_set_dest(struct npdu_view *v, uint16_t dnet, const uint8_t *dadr,
    uint8_t dlen, uint8_t hop_count)
{
	v->has_dnet = true;
	v->dnet = dnet;
	v->dadr = dlen > 0 ? dadr : NULL;
	v->dlen = dlen;
	v->hop_count = hop_count;
}

void
npdu_view_set_source(struct npdu_view *v, uint16_t snet, const uint8_t *sadr,
    uint8_t slen)
{
	v->has_snet = true;
	v->snet = snet;
	v->sadr = sadr;
	v->slen = slen;
}

void
npdu_view_strip_dest(struct npdu_view *v)
{
	v->has_dnet = false;
	v->dnet = 0;
	v->dadr = NULL;
	v->dlen = 0;
	v->hop_count = 0;
}

size_t
npdu_header_len(const struct npdu_view *v)
{
	size_t n = 2;

	if (v->has_dnet)
		n += 3 + (size_t)v->dlen + 1;
	if (v->has_snet)
		n += 3 + (size_t)v->slen;
	if (v->is_nl_msg) {
		n += 1;
		if (v->nl_type >= NPDU_NL_PROPRIETARY_MIN)
			n += 2;
	}
	return n;
}

int
npdu_encode_header(struct wr *w, const struct npdu_view *v)
{
	uint8_t ctl;

	if (!npdu_view_is_valid(v))
		return -1;
	ctl = v->control & (NPDU_CTL_EXPECT_REPLY | NPDU_CTL_PRIO_MASK);
	if (v->is_nl_msg)
		ctl |= NPDU_CTL_NL_MSG;
	if (v->has_dnet)
		ctl |= NPDU_CTL_DNET;
	if (v->has_snet)
		ctl |= NPDU_CTL_SNET;
	wr_u8(w, NPDU_VERSION);
	wr_u8(w, ctl);
	if (v->has_dnet) {
		wr_u16(w, v->dnet);
		wr_u8(w, v->dlen);
		if (v->dlen > 0)
			wr_bytes(w, v->dadr, v->dlen);
	}
	if (v->has_snet) {
		wr_u16(w, v->snet);
		wr_u8(w, v->slen);
		wr_bytes(w, v->sadr, v->slen);
	}
	if (v->has_dnet)
		wr_u8(w, v->hop_count);
	if (v->is_nl_msg) {
		wr_u8(w, v->nl_type);
		if (v->nl_type >= NPDU_NL_PROPRIETARY_MIN)
			wr_u16(w, v->vendor_id);
	}
	return wr_status(w);
}

int
npdu_encode(struct wr *w, const struct npdu_view *v)
{
	if (npdu_encode_header(w, v) != 0)
		return -1;
	if (v->payload_len > 0)
		wr_bytes(w, v->payload, v->payload_len);
	return wr_status(w);
}
