/* The object model: db, common properties, Device, AV, File, Network Port. */
#include "config.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "app/app_ids.h"
#include "app/app_obj.h"

#define APP_ARRAY_SCRATCH	16384	/* largest array we index into */

static void
set_err(struct app_err *err, uint32_t cls, uint32_t code)
{
	err->cls = cls;
	err->code = code;
}

static void
copy_str(char *dst, size_t cap, const char *src)
{
	size_t n = src != NULL ? strlen(src) : 0;

	if (n >= cap)
		n = cap - 1;
	if (n > 0)
		memcpy(dst, src, n);
	dst[n] = '\0';
}

static void
obj_base_init(struct app_obj *o, const struct app_class *cls,
    uint32_t instance, const char *name)
{
	memset(o, 0, sizeof(*o));
	o->cls = cls;
	o->instance = instance;
	copy_str(o->name, sizeof(o->name), name);
}

/* ---- clock --------------------------------------------------------- */

void
app_datetime_unspecified(struct app_datetime *out)
{
	out->date.year = 0xFFFF;
	out->date.month = out->date.day = out->date.wday = 0xFF;
	out->time.hour = out->time.min = out->time.sec = 0xFF;
	out->time.hundredths = 0xFF;
}

void
app_datetime_from_time(time_t t, struct app_datetime *out)
{
	struct tm tm;

	if (localtime_r(&t, &tm) == NULL) {
		app_datetime_unspecified(out);
		return;
	}
	out->date.year = (uint16_t)(tm.tm_year + 1900);
	out->date.month = (uint8_t)(tm.tm_mon + 1);
	out->date.day = (uint8_t)tm.tm_mday;
	out->date.wday = (uint8_t)(tm.tm_wday == 0 ? 7 : tm.tm_wday);
	out->time.hour = (uint8_t)tm.tm_hour;
	out->time.min = (uint8_t)tm.tm_min;
	out->time.sec = (uint8_t)tm.tm_sec;
	out->time.hundredths = 0;
}

/* Seconds east of UTC of standard time in the year of tm (tm: now). */
static long
std_gmtoff(const struct tm *now)
{
	struct tm probe, lt;
	time_t t;
	int mon;

	if (now->tm_isdst <= 0)
		return now->tm_gmtoff;
	/* The first of a month without DST, at noon, in the same year. */
	for (mon = 0; mon < 12; mon++) {
		memset(&probe, 0, sizeof(probe));
		probe.tm_year = now->tm_year;
		probe.tm_mon = mon;
		probe.tm_mday = 1;
		probe.tm_hour = 12;
		probe.tm_isdst = -1;
		t = mktime(&probe);
		if (t != (time_t)-1 && localtime_r(&t, &lt) != NULL &&
		    lt.tm_isdst == 0)
			return lt.tm_gmtoff;
	}
	return now->tm_gmtoff - 3600;	/* DST all year: assume one hour */
}

void
app_clock_at(time_t t, long nsec, struct app_datetime *local,
    int32_t *utc_offset_min, bool *dst)
{
	struct tm tm;

	app_datetime_from_time(t, local);
	if (nsec >= 0 && nsec < 1000000000L)
		local->time.hundredths = (uint8_t)(nsec / 10000000L);
	if (localtime_r(&t, &tm) == NULL) {
		*utc_offset_min = 0;
		*dst = false;
		return;
	}
	*dst = tm.tm_isdst > 0;
	/* BACnet: minutes west of UTC, of standard (not daylight) time. */
	*utc_offset_min = (int32_t)(-std_gmtoff(&tm) / 60);
}

void
app_clock_system(void *arg, struct app_datetime *local,
    int32_t *utc_offset_min, bool *dst)
{
	struct timespec ts;

	(void)arg;
	clock_gettime(CLOCK_REALTIME, &ts);
	app_clock_at(ts.tv_sec, ts.tv_nsec, local, utc_offset_min, dst);
}

/* ---- db ------------------------------------------------------------ */

extern const struct app_class app_class_device;

int
app_db_init(struct app_db *db, const struct app_device_cfg *cfg)
{
	struct app_device *d = &db->dev;

	if (cfg->instance >= APDU_INSTANCE_MAX || cfg->name == NULL ||
	    cfg->name[0] == '\0' || strlen(cfg->name) >= APP_NAME_MAX)
		return -1;
	memset(db, 0, sizeof(*db));
	obj_base_init(&d->obj, &app_class_device, cfg->instance, cfg->name);
	copy_str(d->obj.description, sizeof(d->obj.description),
	    cfg->description);
	copy_str(d->location, sizeof(d->location), cfg->location);
	copy_str(d->vendor_name, sizeof(d->vendor_name),
	    cfg->vendor_name != NULL ? cfg->vendor_name :
	    "bacsc-router project (no assigned vendor id)");
	copy_str(d->model_name, sizeof(d->model_name),
	    cfg->model_name != NULL ? cfg->model_name : "bacsc-router");
	copy_str(d->firmware, sizeof(d->firmware),
	    cfg->firmware_revision != NULL ? cfg->firmware_revision :
	    PACKAGE_VERSION);
	copy_str(d->app_version, sizeof(d->app_version),
	    cfg->app_version != NULL ? cfg->app_version : PACKAGE_VERSION);
	d->vendor_id = cfg->vendor_id;
	memcpy(d->uuid, cfg->uuid, sizeof(d->uuid));
	d->max_apdu = cfg->max_apdu != 0 ? cfg->max_apdu : 1476;
	if (d->max_apdu < 50 || d->max_apdu > 1476)
		return -1;
	d->segmented_transmit = cfg->segmented_transmit;
	d->apdu_timeout_ms = cfg->apdu_timeout_ms != 0 ?
	    cfg->apdu_timeout_ms : 3000;
	d->segment_timeout_ms = cfg->segment_timeout_ms != 0 ?
	    cfg->segment_timeout_ms : 2000;
	d->apdu_retries = cfg->apdu_retries;
	d->window = cfg->window != 0 ? cfg->window : 4;
	if (d->window > 127)
		return -1;
	d->database_revision = 1;
	d->clock = cfg->clock != NULL ? cfg->clock : app_clock_system;
	d->clock_arg = cfg->clock_arg;
	d->written = cfg->written;
	d->written_arg = cfg->written_arg;
	d->obj.db = db;
	db->objs[0] = &d->obj;
	db->n = 1;
	return 0;
}

int
app_db_add(struct app_db *db, struct app_obj *o)
{
	if (db->n == APP_DB_MAX || o->instance >= APDU_INSTANCE_MAX ||
	    o->name[0] == '\0')
		return -1;
	if (app_db_find(db, o->cls->type, o->instance) != NULL ||
	    app_db_find_name(db, o->name, strlen(o->name)) != NULL)
		return -1;
	o->db = db;
	db->objs[db->n++] = o;
	db->dev.database_revision++;
	return 0;
}

int
app_db_remove(struct app_db *db, struct app_obj *o)
{
	size_t i;

	for (i = 1; i < db->n; i++) {	/* [0], the Device, stays */
		if (db->objs[i] != o)
			continue;
		memmove(&db->objs[i], &db->objs[i + 1],
		    (db->n - i - 1) * sizeof(db->objs[0]));
		db->n--;
		o->db = NULL;
		db->dev.database_revision++;
		return 0;
	}
	return -1;
}

struct app_obj *
app_db_find(struct app_db *db, uint16_t type, uint32_t instance)
{
	size_t i;

	if (type == APP_OBJ_DEVICE && instance == APDU_INSTANCE_MAX)
		return &db->dev.obj;
	for (i = 0; i < db->n; i++)
		if (db->objs[i]->cls->type == type &&
		    db->objs[i]->instance == instance)
			return db->objs[i];
	return NULL;
}

struct app_obj *
app_db_find_name(struct app_db *db, const char *name, size_t n)
{
	size_t i;

	for (i = 0; i < db->n; i++)
		if (strlen(db->objs[i]->name) == n &&
		    memcmp(db->objs[i]->name, name, n) == 0)
			return db->objs[i];
	return NULL;
}

uint64_t
app_fnv1a(uint64_t h, const void *p, size_t n)
{
	const uint8_t *b = p;
	size_t i;

	for (i = 0; i < n; i++) {
		h ^= b[i];
		h *= 0x100000001b3ULL;
	}
	return h;
}

/* A string with its NUL, so that "ab"+"c" differs from "a"+"bc". */
static uint64_t
fnv1a_str(uint64_t h, const char *s)
{
	return app_fnv1a(h, s, strlen(s) + 1);
}

uint64_t
app_db_fingerprint(const struct app_db *db)
{
	uint64_t h = APP_FNV1A_INIT;
	uint8_t id[6];
	size_t i;

	for (i = 0; i < db->n; i++) {
		const struct app_obj *o = db->objs[i];

		be16_store(id, o->cls->type);
		id[2] = (uint8_t)(o->instance >> 24);
		id[3] = (uint8_t)(o->instance >> 16);
		id[4] = (uint8_t)(o->instance >> 8);
		id[5] = (uint8_t)o->instance;
		h = app_fnv1a(h, id, sizeof(id));
		h = fnv1a_str(h, o->name);
		h = fnv1a_str(h, o->description);
	}
	return fnv1a_str(h, db->dev.location);
}

/* ---- common properties -------------------------------------------- */

bool
app_obj_has_prop(const struct app_obj *o, uint32_t prop, uint8_t *flags)
{
	size_t i;

	if (o->cls->absent != NULL && o->cls->absent(o, prop))
		return false;
	for (i = 0; i < o->cls->nprops; i++)
		if (o->cls->props[i].id == prop) {
			if (flags != NULL)
				*flags = o->cls->props[i].flags;
			return true;
		}
	return false;
}

static void
enc_status_flags(struct wr *w, bool fault, bool oos)
{
	uint8_t b = (uint8_t)((fault ? 0x40 : 0) | (oos ? 0x10 : 0));

	apdu_enc_bits(w, &b, 4);
}

/* Encode a property of every object, or return 1 if not a common one. */
static int
read_common(const struct app_obj *o, uint32_t prop, struct wr *w)
{
	size_t i;

	switch (prop) {
	case APP_PROP_OBJECT_IDENTIFIER:
		apdu_enc_objid(w, o->cls->type, o->instance);
		return 0;
	case APP_PROP_OBJECT_NAME:
		apdu_enc_cstr(w, o->name);
		return 0;
	case APP_PROP_OBJECT_TYPE:
		apdu_enc_enum(w, o->cls->type);
		return 0;
	case APP_PROP_DESCRIPTION:
		apdu_enc_cstr(w, o->description);
		return 0;
	case APP_PROP_PROPERTY_LIST:
		for (i = 0; i < o->cls->nprops; i++) {
			uint32_t id = o->cls->props[i].id;

			if (id != APP_PROP_OBJECT_IDENTIFIER &&
			    id != APP_PROP_OBJECT_NAME && id != APP_PROP_OBJECT_TYPE &&
			    id != APP_PROP_PROPERTY_LIST &&
			    app_obj_has_prop(o, id, NULL))
				apdu_enc_enum(w, id);
		}
		return 0;
	default:
		return 1;
	}
}

static int
read_whole(const struct app_obj *o, uint32_t prop, struct wr *w,
    struct app_err *err)
{
	if (read_common(o, prop, w) == 0)
		return 0;
	return o->cls->read(o, prop, w, err);
}

/* Pick element `index` (0: the count) of an encoded array. */
static int
read_element(const struct app_obj *o, uint32_t prop, uint32_t index,
    struct wr *w, struct app_err *err)
{
	uint8_t *buf = malloc(APP_ARRAY_SCRATCH);
	struct wr tw;
	struct rd r;
	uint32_t count = 0;
	int rc = -1;

	if (buf == NULL) {
		set_err(err, APP_ERRC_RESOURCES, APP_ERR_OTHER);
		return -1;
	}
	wr_init(&tw, buf, APP_ARRAY_SCRATCH);
	if (read_whole(o, prop, &tw, err) < 0)
		goto out;
	if (wr_status(&tw) < 0) {
		set_err(err, APP_ERRC_RESOURCES, APP_ERR_OTHER);
		goto out;
	}
	rd_init(&r, buf, tw.len);
	while (r.left > 0) {
		const uint8_t *start = r.p;

		if (apdu_skip(&r) != CODEC_OK) {
			set_err(err, APP_ERRC_DEVICE, APP_ERR_OTHER);
			goto out;
		}
		if (++count == index) {
			wr_bytes(w, start, (size_t)(r.p - start));
			rc = 0;
			goto out;
		}
	}
	if (index == 0) {
		apdu_enc_unsigned(w, count);
		rc = 0;
	} else {
		set_err(err, APP_ERRC_PROPERTY, APP_ERR_INVALID_ARRAY_INDEX);
	}
out:
	free(buf);
	return rc;
}

int
app_obj_read(const struct app_obj *o, uint32_t prop, uint32_t index,
    struct wr *w, struct app_err *err)
{
	uint8_t flags;

	if (!app_obj_has_prop(o, prop, &flags)) {
		set_err(err, APP_ERRC_PROPERTY, APP_ERR_UNKNOWN_PROPERTY);
		return -1;
	}
	if (index == APP_NO_INDEX)
		return read_whole(o, prop, w, err);
	if (!(flags & APP_P_ARRAY)) {
		set_err(err, APP_ERRC_PROPERTY, APP_ERR_PROPERTY_NOT_AN_ARRAY);
		return -1;
	}
	return read_element(o, prop, index, w, err);
}

/* Decode a whole value that must be one UTF-8 CharacterString. */
static int
take_string(const uint8_t *val, size_t len, size_t cap, const uint8_t **s,
    size_t *n, struct app_err *err)
{
	struct apdu_value v;
	struct rd r;

	rd_init(&r, val, len);
	if (apdu_dec_app(&r, &v) != CODEC_OK || v.type != APDU_STRING ||
	    r.left != 0) {
		set_err(err, APP_ERRC_PROPERTY, APP_ERR_INVALID_DATA_TYPE);
		return -1;
	}
	if (v.v.str.charset != APDU_CHARSET_UTF8) {
		set_err(err, APP_ERRC_PROPERTY, APP_ERR_CHARSET_NOT_SUPPORTED);
		return -1;
	}
	if (v.v.str.n >= cap || memchr(v.v.str.p, 0, v.v.str.n) != NULL) {
		set_err(err, APP_ERRC_PROPERTY, APP_ERR_VALUE_OUT_OF_RANGE);
		return -1;
	}
	*s = v.v.str.p;
	*n = v.v.str.n;
	return 0;
}

static int
write_text(struct app_obj *o, uint32_t prop, const uint8_t *val, size_t len,
    struct app_err *err)
{
	char *dst;
	size_t cap, n;
	const uint8_t *s;
	struct app_obj *other;

	if (prop == APP_PROP_OBJECT_NAME) {
		dst = o->name;
		cap = sizeof(o->name);
	} else if (prop == APP_PROP_DESCRIPTION) {
		dst = o->description;
		cap = sizeof(o->description);
	} else {
		dst = o->db->dev.location;
		cap = sizeof(o->db->dev.location);
	}
	if (take_string(val, len, cap, &s, &n, err) < 0)
		return -1;
	if (prop == APP_PROP_OBJECT_NAME) {
		if (n == 0) {
			set_err(err, APP_ERRC_PROPERTY, APP_ERR_VALUE_OUT_OF_RANGE);
			return -1;
		}
		other = app_db_find_name(o->db, (const char *)s, n);
		if (other != NULL && other != o) {
			set_err(err, APP_ERRC_PROPERTY, APP_ERR_DUPLICATE_NAME);
			return -1;
		}
	}
	memcpy(dst, s, n);
	dst[n] = '\0';
	o->db->dev.database_revision++;
	return 0;
}

int
app_obj_write(struct app_obj *o, uint32_t prop, uint32_t index,
    const uint8_t *val, size_t len, uint8_t priority, struct app_err *err)
{
	uint8_t flags;
	int rc;

	if (!app_obj_has_prop(o, prop, &flags)) {
		set_err(err, APP_ERRC_PROPERTY, APP_ERR_UNKNOWN_PROPERTY);
		return -1;
	}
	if (!(flags & APP_P_WRITE)) {
		set_err(err, APP_ERRC_PROPERTY, APP_ERR_WRITE_ACCESS_DENIED);
		return -1;
	}
	if (index != APP_NO_INDEX && !(flags & APP_P_ARRAY)) {
		set_err(err, APP_ERRC_PROPERTY, APP_ERR_PROPERTY_NOT_AN_ARRAY);
		return -1;
	}
	if (prop == APP_PROP_OBJECT_NAME || prop == APP_PROP_DESCRIPTION ||
	    prop == APP_PROP_LOCATION)
		rc = write_text(o, prop, val, len, err);
	else if (o->cls->write != NULL)
		rc = o->cls->write(o, prop, index, val, len, priority, err);
	else {
		set_err(err, APP_ERRC_PROPERTY, APP_ERR_WRITE_ACCESS_DENIED);
		rc = -1;
	}
	if (rc == 0 && o->db != NULL && o->db->dev.written != NULL)
		o->db->dev.written(o->db->dev.written_arg, o, prop);
	return rc;
}

/* ---- properties that are one field of a struct ---------------------- */

enum fld_kind {
	FLD_BOOL,	/* bool */
	FLD_U8,		/* uint8_t, Unsigned */
	FLD_ENUM8,	/* uint8_t, Enumerated */
	FLD_U16,	/* uint16_t, Unsigned */
	FLD_U32,	/* uint32_t, Unsigned */
	FLD_REAL,	/* float */
	FLD_CHARS,	/* char[], NUL-terminated, CharacterString */
	FLD_CSTR,	/* const char *, CharacterString ("" for NULL) */
	FLD_OCT4,	/* uint8_t[4], OctetString */
	FLD_OCT6,	/* uint8_t[6], OctetString */
	FLD_OCT16,	/* uint8_t[16], OctetString */
	FLD_FILE,	/* uint32_t File instance, ObjectIdentifier */
	FLD_HOSTNPORT,	/* struct app_hostnport, BACnetHostNPort */
};

/* A property that is the field at `off` of some struct. */
struct obj_field {
	uint32_t	prop;
	enum fld_kind	kind;
	size_t		off;
};

#define FIELD_N(t)	(sizeof(t) / sizeof((t)[0]))

/* BACnetHostNPort, as the content of whatever tag wraps it. */
static void
enc_hostnport(struct wr *w, const struct app_hostnport *h)
{
	apdu_open(w, 0);
	if (h->ip_len > 0)
		apdu_ctx_octets(w, 1, h->ip, h->ip_len);
	else if (h->name != NULL)
		apdu_ctx_cstr(w, 2, h->name);
	else
		apdu_ctx_null(w, 0);
	apdu_close(w, 0);
	apdu_ctx_unsigned(w, 1, h->port);
}

static void
enc_ctx_hostnport(struct wr *w, uint8_t tag, const struct app_hostnport *h)
{
	apdu_open(w, tag);
	enc_hostnport(w, h);
	apdu_close(w, tag);
}

/* Encode the field for prop of the struct at base; 1 if prop is none. */
static int
read_field(const struct obj_field *t, size_t n, const void *base,
    uint32_t prop, struct wr *w)
{
	const void *p;
	const char *s;
	size_t i;

	for (i = 0; i < n && t[i].prop != prop; i++)
		;
	if (i == n)
		return 1;
	p = (const uint8_t *)base + t[i].off;
	switch (t[i].kind) {
	case FLD_BOOL:
		apdu_enc_bool(w, *(const bool *)p);
		break;
	case FLD_U8:
		apdu_enc_unsigned(w, *(const uint8_t *)p);
		break;
	case FLD_ENUM8:
		apdu_enc_enum(w, *(const uint8_t *)p);
		break;
	case FLD_U16:
		apdu_enc_unsigned(w, *(const uint16_t *)p);
		break;
	case FLD_U32:
		apdu_enc_unsigned(w, *(const uint32_t *)p);
		break;
	case FLD_REAL:
		apdu_enc_real(w, *(const float *)p);
		break;
	case FLD_CHARS:
		apdu_enc_cstr(w, p);
		break;
	case FLD_CSTR:
		s = *(const char *const *)p;
		apdu_enc_cstr(w, s != NULL ? s : "");
		break;
	case FLD_OCT4:
		apdu_enc_octets(w, p, 4);
		break;
	case FLD_OCT6:
		apdu_enc_octets(w, p, 6);
		break;
	case FLD_OCT16:
		apdu_enc_octets(w, p, 16);
		break;
	case FLD_FILE:
		apdu_enc_objid(w, APP_OBJ_FILE, *(const uint32_t *)p);
		break;
	case FLD_HOSTNPORT:
		enc_hostnport(w, p);
		break;
	}
	return 0;
}

/* ---- Device -------------------------------------------------------- */

static const struct app_prop device_props[] = {
	{ APP_PROP_OBJECT_IDENTIFIER, APP_P_REQ },
	{ APP_PROP_OBJECT_NAME, APP_P_REQ | APP_P_WRITE },
	{ APP_PROP_OBJECT_TYPE, APP_P_REQ },
	{ APP_PROP_SYSTEM_STATUS, APP_P_REQ },
	{ APP_PROP_VENDOR_NAME, APP_P_REQ },
	{ APP_PROP_VENDOR_IDENTIFIER, APP_P_REQ },
	{ APP_PROP_MODEL_NAME, APP_P_REQ },
	{ APP_PROP_FIRMWARE_REVISION, APP_P_REQ },
	{ APP_PROP_APP_SOFTWARE_VERSION, APP_P_REQ },
	{ APP_PROP_PROTOCOL_VERSION, APP_P_REQ },
	{ APP_PROP_PROTOCOL_REVISION, APP_P_REQ },
	{ APP_PROP_PROTOCOL_SERVICES, APP_P_REQ },
	{ APP_PROP_PROTOCOL_OBJECT_TYPES, APP_P_REQ },
	{ APP_PROP_OBJECT_LIST, APP_P_REQ | APP_P_ARRAY },
	{ APP_PROP_MAX_APDU_LENGTH_ACCEPTED, APP_P_REQ },
	{ APP_PROP_SEGMENTATION_SUPPORTED, APP_P_REQ },
	{ APP_PROP_MAX_SEGMENTS_ACCEPTED, APP_P_REQ },
	{ APP_PROP_APDU_SEGMENT_TIMEOUT, APP_P_REQ },
	{ APP_PROP_APDU_TIMEOUT, APP_P_REQ },
	{ APP_PROP_NUMBER_OF_APDU_RETRIES, APP_P_REQ },
	{ APP_PROP_DEVICE_ADDRESS_BINDING, APP_P_REQ },
	{ APP_PROP_DATABASE_REVISION, APP_P_REQ },
	{ APP_PROP_PROPERTY_LIST, APP_P_REQ | APP_P_ARRAY },
	{ APP_PROP_DESCRIPTION, APP_P_WRITE },
	{ APP_PROP_LOCATION, APP_P_WRITE },
	{ APP_PROP_LOCAL_DATE, 0 },
	{ APP_PROP_LOCAL_TIME, 0 },
	{ APP_PROP_UTC_OFFSET, 0 },
	{ APP_PROP_DAYLIGHT_SAVINGS_STATUS, 0 },
	{ APP_PROP_DEVICE_UUID, 0 },
};

static void
set_bit(uint8_t *bits, unsigned i)
{
	bits[i / 8] |= (uint8_t)(0x80 >> (i % 8));
}

#define DEVF(p, k, f)	{ (p), (k), offsetof(struct app_device, f) }

/* The Device properties that are one field of struct app_device. */
static const struct obj_field device_fields[] = {
	DEVF(APP_PROP_SYSTEM_STATUS, FLD_ENUM8, system_status),
	DEVF(APP_PROP_VENDOR_NAME, FLD_CHARS, vendor_name),
	DEVF(APP_PROP_VENDOR_IDENTIFIER, FLD_U16, vendor_id),
	DEVF(APP_PROP_MODEL_NAME, FLD_CHARS, model_name),
	DEVF(APP_PROP_FIRMWARE_REVISION, FLD_CHARS, firmware),
	DEVF(APP_PROP_APP_SOFTWARE_VERSION, FLD_CHARS, app_version),
	DEVF(APP_PROP_MAX_APDU_LENGTH_ACCEPTED, FLD_U16, max_apdu),
	DEVF(APP_PROP_APDU_SEGMENT_TIMEOUT, FLD_U32, segment_timeout_ms),
	DEVF(APP_PROP_APDU_TIMEOUT, FLD_U32, apdu_timeout_ms),
	DEVF(APP_PROP_NUMBER_OF_APDU_RETRIES, FLD_U8, apdu_retries),
	DEVF(APP_PROP_DATABASE_REVISION, FLD_U32, database_revision),
	DEVF(APP_PROP_LOCATION, FLD_CHARS, location),
	DEVF(APP_PROP_DEVICE_UUID, FLD_OCT16, uuid),
};

static int
device_read(const struct app_obj *o, uint32_t prop, struct wr *w,
    struct app_err *err)
{
	const struct app_device *d = (const struct app_device *)o;
	const struct app_db *db = o->db;
	uint8_t bits[16];
	struct app_datetime now;
	int32_t off;
	bool dst;
	size_t i;

	if (read_field(device_fields, FIELD_N(device_fields), d, prop, w) == 0)
		return 0;
	switch (prop) {
	case APP_PROP_PROTOCOL_VERSION:
		apdu_enc_unsigned(w, 1);
		break;
	case APP_PROP_PROTOCOL_REVISION:
		apdu_enc_unsigned(w, APP_PROTOCOL_REVISION);
		break;
	case APP_PROP_PROTOCOL_SERVICES:
		memset(bits, 0, sizeof(bits));
		set_bit(bits, APP_SS_READ_PROPERTY);
		set_bit(bits, APP_SS_READ_PROP_MULTIPLE);
		set_bit(bits, APP_SS_WRITE_PROPERTY);
		set_bit(bits, APP_SS_I_AM);
		set_bit(bits, APP_SS_I_HAVE);
		set_bit(bits, APP_SS_WHO_HAS);
		set_bit(bits, APP_SS_WHO_IS);
		apdu_enc_bits(w, bits, APP_SS_COUNT_REV24);
		break;
	case APP_PROP_PROTOCOL_OBJECT_TYPES:
		memset(bits, 0, sizeof(bits));
		for (i = 0; i < db->n; i++)
			set_bit(bits, db->objs[i]->cls->type);
		apdu_enc_bits(w, bits, APP_OBJ_TYPE_COUNT_REV24);
		break;
	case APP_PROP_OBJECT_LIST:
		for (i = 0; i < db->n; i++)
			apdu_enc_objid(w, db->objs[i]->cls->type,
			    db->objs[i]->instance);
		break;
	case APP_PROP_SEGMENTATION_SUPPORTED:
		apdu_enc_enum(w, d->segmented_transmit ? APP_SEG_TRANSMIT :
		    APP_SEG_NONE);
		break;
	case APP_PROP_MAX_SEGMENTS_ACCEPTED:
		/* We reassemble no segmented requests: one segment. */
		apdu_enc_unsigned(w, 1);
		break;
	case APP_PROP_DEVICE_ADDRESS_BINDING:
		/* We initiate no requests, so we bind no devices: empty. */
		break;
	case APP_PROP_LOCAL_DATE:
	case APP_PROP_LOCAL_TIME:
	case APP_PROP_UTC_OFFSET:
	case APP_PROP_DAYLIGHT_SAVINGS_STATUS:
		d->clock(d->clock_arg, &now, &off, &dst);
		if (prop == APP_PROP_LOCAL_DATE)
			apdu_enc_date(w, &now.date);
		else if (prop == APP_PROP_LOCAL_TIME)
			apdu_enc_time(w, &now.time);
		else if (prop == APP_PROP_UTC_OFFSET)
			apdu_enc_signed(w, off);
		else
			apdu_enc_bool(w, dst);
		break;
	default:
		set_err(err, APP_ERRC_PROPERTY, APP_ERR_UNKNOWN_PROPERTY);
		return -1;
	}
	return 0;
}

const struct app_class app_class_device = {
	APP_OBJ_DEVICE, device_props, sizeof(device_props) / sizeof(device_props[0]),
	device_read, NULL, NULL,
};

/* ---- Analog Value -------------------------------------------------- */

/* Present_Value is writable only on a writable AV (av_write checks). */
static const struct app_prop av_props[] = {
	{ APP_PROP_OBJECT_IDENTIFIER, APP_P_REQ },
	{ APP_PROP_OBJECT_NAME, APP_P_REQ | APP_P_WRITE },
	{ APP_PROP_OBJECT_TYPE, APP_P_REQ },
	{ APP_PROP_PRESENT_VALUE, APP_P_REQ | APP_P_WRITE },
	{ APP_PROP_STATUS_FLAGS, APP_P_REQ },
	{ APP_PROP_EVENT_STATE, APP_P_REQ },
	{ APP_PROP_OUT_OF_SERVICE, APP_P_REQ },
	{ APP_PROP_UNITS, APP_P_REQ },
	{ APP_PROP_PROPERTY_LIST, APP_P_REQ | APP_P_ARRAY },
	{ APP_PROP_DESCRIPTION, APP_P_WRITE },
};

static int
av_read(const struct app_obj *o, uint32_t prop, struct wr *w,
    struct app_err *err)
{
	const struct app_av *av = (const struct app_av *)o;

	switch (prop) {
	case APP_PROP_PRESENT_VALUE:
		apdu_enc_real(w, av->present_value);
		break;
	case APP_PROP_STATUS_FLAGS:
		enc_status_flags(w, false, false);
		break;
	case APP_PROP_EVENT_STATE:
		apdu_enc_enum(w, 0);
		break;
	case APP_PROP_OUT_OF_SERVICE:
		apdu_enc_bool(w, false);
		break;
	case APP_PROP_UNITS:
		apdu_enc_enum(w, av->units);
		break;
	default:
		set_err(err, APP_ERRC_PROPERTY, APP_ERR_UNKNOWN_PROPERTY);
		return -1;
	}
	return 0;
}

static int
av_write(struct app_obj *o, uint32_t prop, uint32_t index,
    const uint8_t *val, size_t len, uint8_t priority, struct app_err *err)
{
	struct app_av *av = (struct app_av *)o;
	struct apdu_value v;
	struct rd r;

	(void)index;
	(void)priority;		/* not commandable: priority is ignored */
	if (prop != APP_PROP_PRESENT_VALUE || !av->pv_writable) {
		set_err(err, APP_ERRC_PROPERTY, APP_ERR_WRITE_ACCESS_DENIED);
		return -1;
	}
	rd_init(&r, val, len);
	if (apdu_dec_app(&r, &v) != CODEC_OK || v.type != APDU_REAL ||
	    r.left != 0) {
		set_err(err, APP_ERRC_PROPERTY, APP_ERR_INVALID_DATA_TYPE);
		return -1;
	}
	if (v.v.r != v.v.r) {	/* NaN */
		set_err(err, APP_ERRC_PROPERTY, APP_ERR_VALUE_OUT_OF_RANGE);
		return -1;
	}
	av->present_value = v.v.r;
	if (av->on_write != NULL)
		av->on_write(av->on_write_arg, av, v.v.r);
	return 0;
}

static const struct app_class av_class = {
	APP_OBJ_ANALOG_VALUE, av_props, sizeof(av_props) / sizeof(av_props[0]),
	av_read, av_write, NULL,
};

void
app_av_init(struct app_av *av, uint32_t instance, const char *name,
    uint32_t units, float value, bool pv_writable)
{
	memset(av, 0, sizeof(*av));
	obj_base_init(&av->obj, &av_class, instance, name);
	av->present_value = value;
	av->units = units;
	av->pv_writable = pv_writable;
}

/* ---- File ---------------------------------------------------------- */

static const struct app_prop file_props[] = {
	{ APP_PROP_OBJECT_IDENTIFIER, APP_P_REQ },
	{ APP_PROP_OBJECT_NAME, APP_P_REQ },
	{ APP_PROP_OBJECT_TYPE, APP_P_REQ },
	{ APP_PROP_FILE_TYPE, APP_P_REQ },
	{ APP_PROP_FILE_SIZE, APP_P_REQ },
	{ APP_PROP_MODIFICATION_DATE, APP_P_REQ },
	{ APP_PROP_ARCHIVE, APP_P_REQ },
	{ APP_PROP_READ_ONLY, APP_P_REQ },
	{ APP_PROP_FILE_ACCESS_METHOD, APP_P_REQ },
	{ APP_PROP_PROPERTY_LIST, APP_P_REQ | APP_P_ARRAY },
	{ APP_PROP_DESCRIPTION, 0 },
};

static int
file_read(const struct app_obj *o, uint32_t prop, struct wr *w,
    struct app_err *err)
{
	const struct app_file *f = (const struct app_file *)o;
	struct stat st;
	bool ok = f->path != NULL && stat(f->path, &st) == 0;
	struct app_datetime dt;

	switch (prop) {
	case APP_PROP_FILE_TYPE:
		apdu_enc_cstr(w, f->file_type);
		break;
	case APP_PROP_FILE_SIZE:
		apdu_enc_unsigned(w, ok ? (uint64_t)st.st_size : 0);
		break;
	case APP_PROP_MODIFICATION_DATE:
		if (ok)
			app_datetime_from_time(st.st_mtime, &dt);
		else
			app_datetime_unspecified(&dt);
		apdu_enc_date(w, &dt.date);
		apdu_enc_time(w, &dt.time);
		break;
	case APP_PROP_ARCHIVE:
		apdu_enc_bool(w, false);
		break;
	case APP_PROP_READ_ONLY:
		apdu_enc_bool(w, true);
		break;
	case APP_PROP_FILE_ACCESS_METHOD:
		apdu_enc_enum(w, 1);	/* stream-access */
		break;
	default:
		set_err(err, APP_ERRC_PROPERTY, APP_ERR_UNKNOWN_PROPERTY);
		return -1;
	}
	return 0;
}

static const struct app_class file_class = {
	APP_OBJ_FILE, file_props, sizeof(file_props) / sizeof(file_props[0]),
	file_read, NULL, NULL,
};

void
app_file_init(struct app_file *f, uint32_t instance, const char *name,
    const char *path, const char *file_type)
{
	memset(f, 0, sizeof(*f));
	obj_base_init(&f->obj, &file_class, instance, name);
	f->path = path;
	f->file_type = file_type;
}

/* ---- Network Port -------------------------------------------------- */

/*
 * Required (APP_P_REQ) as bacnet-stack's netport.c and bac-py's
 * network_port.py both have it: Network_Number, Network_Number_Quality,
 * APDU_Length and Link_Speed too (BACpypes3 lists fewer).  MAC_Address
 * is optional in bacnet-stack and BACpypes3.
 */
#define NP_COMMON							\
	{ APP_PROP_OBJECT_IDENTIFIER, APP_P_REQ },				\
	{ APP_PROP_OBJECT_NAME, APP_P_REQ | APP_P_WRITE },			\
	{ APP_PROP_OBJECT_TYPE, APP_P_REQ },				\
	{ APP_PROP_STATUS_FLAGS, APP_P_REQ },				\
	{ APP_PROP_RELIABILITY, APP_P_REQ },				\
	{ APP_PROP_OUT_OF_SERVICE, APP_P_REQ },				\
	{ APP_PROP_NETWORK_TYPE, APP_P_REQ },				\
	{ APP_PROP_PROTOCOL_LEVEL, APP_P_REQ },				\
	{ APP_PROP_CHANGES_PENDING, APP_P_REQ },				\
	{ APP_PROP_PROPERTY_LIST, APP_P_REQ | APP_P_ARRAY },		\
	{ APP_PROP_NETWORK_NUMBER, APP_P_REQ },				\
	{ APP_PROP_NETWORK_NUMBER_QUALITY, APP_P_REQ },			\
	{ APP_PROP_APDU_LENGTH, APP_P_REQ },				\
	{ APP_PROP_LINK_SPEED, APP_P_REQ },				\
	{ APP_PROP_DESCRIPTION, APP_P_WRITE },				\
	{ APP_PROP_MAC_ADDRESS, 0 },					\
	{ APP_PROP_ROUTING_TABLE, 0 }

static const struct app_prop np_bip_props[] = {
	NP_COMMON,
	{ APP_PROP_BACNET_IP_MODE, 0 },
	{ APP_PROP_IP_ADDRESS, 0 },
	{ APP_PROP_BACNET_IP_UDP_PORT, 0 },
	{ APP_PROP_IP_SUBNET_MASK, 0 },
	{ APP_PROP_IP_DEFAULT_GATEWAY, 0 },
	{ APP_PROP_IP_DNS_SERVER, APP_P_ARRAY },
	{ APP_PROP_IP_DHCP_ENABLE, 0 },
	{ APP_PROP_BBMD_ACCEPT_FD_REGS, 0 },
	{ APP_PROP_BBMD_BDT, 0 },
	{ APP_PROP_BBMD_FDT, 0 },
	{ APP_PROP_FD_BBMD_ADDRESS, 0 },
	{ APP_PROP_FD_SUBSCRIPTION_LIFETIME, 0 },
	{ APP_PROP_BACNET_IP_NAT_TRAVERSAL, 0 },
	{ APP_PROP_BACNET_IP_GLOBAL_ADDRESS, 0 },
};

static const struct app_prop np_sc_props[] = {
	NP_COMMON,
	{ APP_PROP_MAX_BVLC_LEN_ACCEPTED, 0 },
	{ APP_PROP_MAX_NPDU_LEN_ACCEPTED, 0 },
	{ APP_PROP_SC_PRIMARY_HUB_URI, 0 },
	{ APP_PROP_SC_FAILOVER_HUB_URI, 0 },
	{ APP_PROP_SC_MIN_RECONNECT_TIME, 0 },
	{ APP_PROP_SC_MAX_RECONNECT_TIME, 0 },
	{ APP_PROP_SC_CONNECT_WAIT_TIMEOUT, 0 },
	{ APP_PROP_SC_DISCONNECT_WAIT_TIMEOUT, 0 },
	{ APP_PROP_SC_HEARTBEAT_TIMEOUT, 0 },
	{ APP_PROP_SC_HUB_CONNECTOR_STATE, 0 },
	{ APP_PROP_SC_PRIMARY_HUB_STATUS, 0 },
	{ APP_PROP_SC_FAILOVER_HUB_STATUS, 0 },
	{ APP_PROP_SC_HUB_FN_ENABLE, 0 },
	{ APP_PROP_SC_HUB_FN_ACCEPT_URIS, APP_P_ARRAY },
	{ APP_PROP_SC_HUB_FN_BINDING, 0 },
	{ APP_PROP_SC_HUB_FN_CONN_STATUS, 0 },
	{ APP_PROP_SC_DC_INITIATE_ENABLE, 0 },
	{ APP_PROP_SC_DC_ACCEPT_ENABLE, 0 },
	{ APP_PROP_SC_DC_ACCEPT_URIS, APP_P_ARRAY },
	{ APP_PROP_SC_DC_BINDING, 0 },
	{ APP_PROP_SC_DC_CONN_STATUS, 0 },
	{ APP_PROP_SC_FAILED_CONN_REQUESTS, 0 },
	{ APP_PROP_CURRENT_HEALTH, 0 },
	{ APP_PROP_OPERATIONAL_CERT_FILE, 0 },
	{ APP_PROP_ISSUER_CERT_FILES, APP_P_ARRAY },
	{ APP_PROP_CSR_FILE, 0 },
};

#define NPF(p, k, f)	{ (p), (k), offsetof(struct app_netport_info, f) }

/* The Network Port properties that are one field of the info. */
static const struct obj_field np_fields[] = {
	NPF(APP_PROP_RELIABILITY, FLD_ENUM8, reliability),
	NPF(APP_PROP_OUT_OF_SERVICE, FLD_BOOL, out_of_service),
	NPF(APP_PROP_NETWORK_NUMBER, FLD_U16, network_number),
	NPF(APP_PROP_NETWORK_NUMBER_QUALITY, FLD_ENUM8, network_number_quality),
	NPF(APP_PROP_MAC_ADDRESS, FLD_OCT6, mac),
	NPF(APP_PROP_LINK_SPEED, FLD_REAL, link_speed),
	/* B/IP */
	NPF(APP_PROP_BACNET_IP_MODE, FLD_ENUM8, ip_mode),
	NPF(APP_PROP_IP_ADDRESS, FLD_OCT4, ip),
	NPF(APP_PROP_BACNET_IP_UDP_PORT, FLD_U16, udp_port),
	NPF(APP_PROP_IP_SUBNET_MASK, FLD_OCT4, mask),
	NPF(APP_PROP_IP_DEFAULT_GATEWAY, FLD_OCT4, gateway),
	NPF(APP_PROP_IP_DHCP_ENABLE, FLD_BOOL, dhcp_enable),
	NPF(APP_PROP_BBMD_ACCEPT_FD_REGS, FLD_BOOL, bbmd_accept_fd),
	NPF(APP_PROP_FD_BBMD_ADDRESS, FLD_HOSTNPORT, fd_bbmd),
	NPF(APP_PROP_FD_SUBSCRIPTION_LIFETIME, FLD_U16, fd_ttl),
	NPF(APP_PROP_BACNET_IP_NAT_TRAVERSAL, FLD_BOOL, nat_traversal),
	NPF(APP_PROP_BACNET_IP_GLOBAL_ADDRESS, FLD_HOSTNPORT, global_addr),
	/* SC */
	NPF(APP_PROP_MAX_BVLC_LEN_ACCEPTED, FLD_U32, max_bvlc),
	NPF(APP_PROP_MAX_NPDU_LEN_ACCEPTED, FLD_U32, max_npdu),
	NPF(APP_PROP_SC_PRIMARY_HUB_URI, FLD_CSTR, primary_uri),
	NPF(APP_PROP_SC_FAILOVER_HUB_URI, FLD_CSTR, failover_uri),
	NPF(APP_PROP_SC_MIN_RECONNECT_TIME, FLD_U32, min_reconnect_s),
	NPF(APP_PROP_SC_MAX_RECONNECT_TIME, FLD_U32, max_reconnect_s),
	NPF(APP_PROP_SC_CONNECT_WAIT_TIMEOUT, FLD_U32, connect_wait_s),
	NPF(APP_PROP_SC_DISCONNECT_WAIT_TIMEOUT, FLD_U32, disconnect_wait_s),
	NPF(APP_PROP_SC_HEARTBEAT_TIMEOUT, FLD_U32, heartbeat_s),
	NPF(APP_PROP_SC_HUB_CONNECTOR_STATE, FLD_ENUM8, hub_connector_state),
	NPF(APP_PROP_SC_HUB_FN_ENABLE, FLD_BOOL, hub_fn_enable),
	NPF(APP_PROP_SC_HUB_FN_BINDING, FLD_CSTR, hub_fn_binding),
	NPF(APP_PROP_SC_DC_INITIATE_ENABLE, FLD_BOOL, dc_initiate_enable),
	NPF(APP_PROP_SC_DC_ACCEPT_ENABLE, FLD_BOOL, dc_accept_enable),
	NPF(APP_PROP_SC_DC_BINDING, FLD_CSTR, dc_binding),
	NPF(APP_PROP_OPERATIONAL_CERT_FILE, FLD_FILE, oper_cert_file),
	NPF(APP_PROP_CSR_FILE, FLD_FILE, csr_file),
};

static void
enc_ctx_datetime(struct wr *w, uint8_t tag, const struct app_datetime *dt)
{
	apdu_open(w, tag);
	apdu_enc_date(w, &dt->date);
	apdu_enc_time(w, &dt->time);
	apdu_close(w, tag);
}

static void
enc_ctx_error(struct wr *w, uint8_t tag, uint32_t cls, uint32_t code)
{
	apdu_open(w, tag);
	apdu_enc_enum(w, cls);
	apdu_enc_enum(w, code);
	apdu_close(w, tag);
}

/*
 * The fields BACnetSCHubConnection, BACnetSCHubFunctionConnection and
 * BACnetSCDirectConnection share, from context tag `tag` on: state,
 * connect and disconnect timestamps, [peer address, VMAC, UUID,] error
 * and error details (both optional).
 */
static void
enc_conn_record(struct wr *w, const struct app_sc_conn *c, uint8_t tag,
    bool with_peer)
{
	apdu_ctx_enum(w, tag++, c->state);
	enc_ctx_datetime(w, tag++, &c->connect_ts);
	enc_ctx_datetime(w, tag++, &c->disconnect_ts);
	if (with_peer) {
		enc_ctx_hostnport(w, tag++, &c->peer);
		apdu_ctx_octets(w, tag++, c->vmac, sizeof(c->vmac));
		apdu_ctx_octets(w, tag++, c->uuid, sizeof(c->uuid));
	}
	if (c->has_error)
		enc_ctx_error(w, tag, c->err_class, c->err_code);
	tag++;
	if (c->err_details != NULL)
		apdu_ctx_cstr(w, tag, c->err_details);
}

/* BACnetSCHubFunctionConnection */
static void
emit_hub_fn_conn(void *ea, const void *rec)
{
	enc_conn_record(ea, rec, 0, true);
}

/* BACnetSCDirectConnection: the URI, then the shared fields. */
static void
emit_direct_conn(void *ea, const void *rec)
{
	const struct app_sc_conn *c = rec;

	apdu_ctx_cstr(ea, 0, c->uri != NULL ? c->uri : "");
	enc_conn_record(ea, c, 1, true);
}

/* BACnetSCFailedConnectionRequest */
static void
emit_failed_req(void *ea, const void *rec)
{
	const struct app_sc_conn *c = rec;
	struct wr *w = ea;

	enc_ctx_datetime(w, 0, &c->connect_ts);
	enc_ctx_hostnport(w, 1, &c->peer);
	if (!c->no_vmac)
		apdu_ctx_octets(w, 2, c->vmac, sizeof(c->vmac));
	if (!c->no_uuid)
		apdu_ctx_octets(w, 3, c->uuid, sizeof(c->uuid));
	enc_ctx_error(w, 4, c->err_class, c->err_code);
	if (c->err_details != NULL)
		apdu_ctx_cstr(w, 5, c->err_details);
}

/*
 * BACnetHealth (135-2020cc): timestamp [0] BACnetDateTime, result [1]
 * Error (class, code as application-tagged enumerations), property [2]
 * BACnetPropertyIdentifier OPTIONAL, details [3] CharacterString
 * OPTIONAL; as in Wireshark's packet-bacapp.c and BAClib's health.json.
 * Success is error code 84 (BAClib's error.json).
 */
static void
enc_health(struct wr *w, const struct app_health *h)
{
	enc_ctx_datetime(w, 0, &h->ts);
	enc_ctx_error(w, 1, h->err_class, h->err_code);
	if (h->has_prop)
		apdu_ctx_enum(w, 2, h->prop);
	if (h->details != NULL)
		apdu_ctx_cstr(w, 3, h->details);
}

/* BACnetRouterEntry */
static void
emit_route(void *ea, const void *rec)
{
	const struct app_route *rt = rec;
	struct wr *w = ea;

	apdu_ctx_unsigned(w, 0, rt->net);
	apdu_ctx_octets(w, 1, rt->mac, rt->mac_len <= sizeof(rt->mac) ?
	    rt->mac_len : sizeof(rt->mac));
	apdu_ctx_enum(w, 2, rt->status);
	if (rt->has_perf)
		apdu_ctx_unsigned(w, 3, rt->perf);
}

/* BACnetBDTEntry */
static void
emit_bdt(void *ea, const void *rec)
{
	const struct app_bdt_entry *e = rec;
	struct wr *w = ea;
	struct app_hostnport h;

	memset(&h, 0, sizeof(h));
	memcpy(h.ip, e->ip, 4);
	h.ip_len = 4;
	h.port = e->port;
	enc_ctx_hostnport(w, 0, &h);
	apdu_ctx_octets(w, 1, e->mask, 4);
}

/* BACnetFDTEntry */
static void
emit_fdt(void *ea, const void *rec)
{
	const struct app_fdt_entry *e = rec;
	struct wr *w = ea;
	uint8_t addr[6];

	memcpy(addr, e->ip, 4);
	be16_store(addr + 4, e->port);
	apdu_ctx_octets(w, 0, addr, sizeof(addr));
	apdu_ctx_unsigned(w, 1, e->ttl);
	apdu_ctx_unsigned(w, 2, e->remaining);
}

static void
enc_uris(struct wr *w, const char *const *uris, size_t n)
{
	size_t i;

	for (i = 0; i < n && i < APP_NP_URIS_MAX; i++)
		apdu_enc_cstr(w, uris[i]);
}

/* The list properties: which member of the ops gives the records. */
static const struct {
	uint32_t	prop;
	size_t		off;	/* of an app_list_fn in struct app_netport_ops */
	app_emit_fn	emit;
} np_lists[] = {
	{ APP_PROP_ROUTING_TABLE, offsetof(struct app_netport_ops, routes),
	    emit_route },
	{ APP_PROP_BBMD_BDT, offsetof(struct app_netport_ops, bdt), emit_bdt },
	{ APP_PROP_BBMD_FDT, offsetof(struct app_netport_ops, fdt), emit_fdt },
	{ APP_PROP_SC_HUB_FN_CONN_STATUS,
	    offsetof(struct app_netport_ops, hub_fn_conns), emit_hub_fn_conn },
	{ APP_PROP_SC_DC_CONN_STATUS,
	    offsetof(struct app_netport_ops, direct_conns), emit_direct_conn },
	{ APP_PROP_SC_FAILED_CONN_REQUESTS,
	    offsetof(struct app_netport_ops, failed_reqs), emit_failed_req },
};

/* A list property (no callback: an empty list); 1 if prop is none. */
static int
np_read_list(const struct app_netport *np, uint32_t prop, struct wr *w)
{
	app_list_fn fn = NULL;
	size_t i;

	for (i = 0; i < sizeof(np_lists) / sizeof(np_lists[0]); i++)
		if (np_lists[i].prop == prop)
			break;
	if (i == sizeof(np_lists) / sizeof(np_lists[0]))
		return 1;
	if (np->ops != NULL)
		memcpy(&fn, (const uint8_t *)np->ops + np_lists[i].off,
		    sizeof(fn));
	if (fn != NULL)
		fn(np->ops_arg, np_lists[i].emit, w);
	return 0;
}

/* The properties that are not one field: lists, arrays, constants. */
static int
np_read_other(const struct app_netport *np, const struct app_netport_info *in,
    uint32_t prop, struct wr *w)
{
	size_t i;

	switch (prop) {
	case APP_PROP_STATUS_FLAGS:
		enc_status_flags(w, in->reliability != 0, in->out_of_service);
		return 0;
	case APP_PROP_NETWORK_TYPE:
		apdu_enc_enum(w, in->kind == APP_NP_SC ?
		    APP_NETTYPE_SECURE_CONNECT : APP_NETTYPE_IPV4);
		return 0;
	case APP_PROP_PROTOCOL_LEVEL:
		apdu_enc_enum(w, APP_PROTO_LEVEL_BACNET_APP);
		return 0;
	case APP_PROP_CHANGES_PENDING:
		apdu_enc_bool(w, false);
		return 0;
	case APP_PROP_APDU_LENGTH:
		apdu_enc_unsigned(w, in->apdu_length != 0 ? in->apdu_length :
		    1476);
		return 0;
	case APP_PROP_SC_PRIMARY_HUB_STATUS:
		enc_conn_record(w, &in->primary_status, 0, false);
		return 0;
	case APP_PROP_SC_FAILOVER_HUB_STATUS:
		enc_conn_record(w, &in->failover_status, 0, false);
		return 0;
	case APP_PROP_CURRENT_HEALTH:
		enc_health(w, &in->health);
		return 0;
	case APP_PROP_SC_HUB_FN_ACCEPT_URIS:
		enc_uris(w, in->hub_fn_accept_uris, in->n_hub_fn_accept_uris);
		return 0;
	case APP_PROP_SC_DC_ACCEPT_URIS:
		enc_uris(w, in->dc_accept_uris, in->n_dc_accept_uris);
		return 0;
	case APP_PROP_IP_DNS_SERVER:
		for (i = 0; i < in->n_dns && i < APP_NP_DNS_MAX; i++)
			apdu_enc_octets(w, in->dns[i], 4);
		return 0;
	case APP_PROP_ISSUER_CERT_FILES:
		for (i = 0; i < in->n_issuer_files &&
		    i < APP_NP_ISSUERS_MAX; i++)
			apdu_enc_objid(w, APP_OBJ_FILE, in->issuer_files[i]);
		return 0;
	default:
		break;
	}
	return np_read_list(np, prop, w);
}

static int
np_read(const struct app_obj *o, uint32_t prop, struct wr *w,
    struct app_err *err)
{
	const struct app_netport *np = (const struct app_netport *)o;
	struct app_netport_info in = np->info;

	if (np->ops != NULL && np->ops->refresh != NULL)
		np->ops->refresh(np->ops_arg, &in);
	if (read_field(np_fields, FIELD_N(np_fields), &in, prop, w) == 0 ||
	    np_read_other(np, &in, prop, w) == 0)
		return 0;
	set_err(err, APP_ERRC_PROPERTY, APP_ERR_UNKNOWN_PROPERTY);
	return -1;
}

/*
 * NAT traversal and the global address only behind NAT (a port that has
 * BACnet_IP_NAT_Traversal has BACnet_IP_Global_Address too); the CSR
 * file only when there is one.
 */
static bool
np_absent(const struct app_obj *o, uint32_t prop)
{
	const struct app_netport *np = (const struct app_netport *)o;

	if (prop == APP_PROP_BACNET_IP_GLOBAL_ADDRESS ||
	    prop == APP_PROP_BACNET_IP_NAT_TRAVERSAL)
		return !np->info.nat_traversal;
	if (prop == APP_PROP_CSR_FILE)
		return !np->info.has_csr_file;
	return false;
}

static const struct app_class np_bip_class = {
	APP_OBJ_NETWORK_PORT, np_bip_props,
	sizeof(np_bip_props) / sizeof(np_bip_props[0]), np_read, NULL,
	np_absent,
};

static const struct app_class np_sc_class = {
	APP_OBJ_NETWORK_PORT, np_sc_props,
	sizeof(np_sc_props) / sizeof(np_sc_props[0]), np_read, NULL,
	np_absent,
};

void
app_netport_init(struct app_netport *np, uint32_t instance, const char *name,
    enum app_np_kind kind)
{
	memset(np, 0, sizeof(*np));
	obj_base_init(&np->obj, kind == APP_NP_SC ? &np_sc_class :
	    &np_bip_class, instance, name);
	np->info.kind = kind;
	np->info.apdu_length = 1476;
	app_datetime_unspecified(&np->info.primary_status.connect_ts);
	app_datetime_unspecified(&np->info.primary_status.disconnect_ts);
	np->info.failover_status = np->info.primary_status;
	app_datetime_unspecified(&np->info.health.ts);
	np->info.health.err_class = APP_ERRC_COMMUNICATION;
	np->info.health.err_code = APP_ERR_SUCCESS;
}

/* ---- Current_Health of an SC port ----------------------------------- */

static void
health_set(struct app_health *h, uint32_t code, uint32_t prop,
    const char *details)
{
	h->err_class = APP_ERRC_COMMUNICATION;
	h->err_code = code;
	h->has_prop = prop != 0;
	h->prop = prop;
	h->details = details;
}

void
app_sc_health_judge(const struct app_netport_info *in,
    enum app_cert_state cert, bool cert_operational, const char *cert_text,
    struct app_health *out)
{
	uint32_t cert_prop = cert_operational ? APP_PROP_OPERATIONAL_CERT_FILE :
	    APP_PROP_ISSUER_CERT_FILES;
	uint32_t cert_code = APP_ERR_TLS_ERROR;
	bool cert_bad = false;

	switch (cert) {
	case APP_CERT_OK:
	case APP_CERT_EXPIRING:
		break;
	case APP_CERT_EXPIRED:
		cert_bad = true;
		if (cert_operational)
			cert_code = APP_ERR_TLS_CLIENT_CERT_EXPIRED;
		break;
	case APP_CERT_NOT_YET_VALID:
	case APP_CERT_UNREADABLE:
		cert_bad = true;
		if (cert_operational)
			cert_code = APP_ERR_TLS_CLIENT_CERT_ERROR;
		break;
	}
	if (cert_bad && cert_operational)
		health_set(out, cert_code, cert_prop, cert_text);
	else if (in->hub_connector_state == APP_HUBC_NO_HUB_CONNECTION)
		health_set(out, in->primary_status.has_error ?
		    in->primary_status.err_code : APP_ERR_OTHER,
		    APP_PROP_SC_PRIMARY_HUB_STATUS, "no hub connection");
	else if (cert_bad)
		health_set(out, cert_code, cert_prop, cert_text);
	else if (in->hub_connector_state == APP_HUBC_CONNECTED_FAILOVER)
		health_set(out, in->primary_status.has_error ?
		    in->primary_status.err_code : APP_ERR_OTHER,
		    APP_PROP_SC_PRIMARY_HUB_STATUS,
		    "connected to the failover hub; the primary hub is down");
	else if (cert == APP_CERT_EXPIRING)
		health_set(out, APP_ERR_SUCCESS, cert_prop, cert_text);
	else
		health_set(out, APP_ERR_SUCCESS, 0, NULL);
}
