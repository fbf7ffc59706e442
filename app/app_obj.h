/*
 * A small BACnet object model: a database (struct app_db) holding the
 * Device object and borrowed pointers to other objects, each with a
 * property table from its class (struct app_class) and read/write
 * callbacks, so values are produced from live state at read time.
 *
 * Provided classes: Device (always, inside the db), Analog Value, File
 * (read-only certificate files), Network Port for B/IP and for BACnet/SC
 * (values through struct app_netport_info plus list callbacks).
 *
 * Nothing here allocates; every object is owned by the caller and must
 * outlive its registration in the db.  Single-threaded.
 */
#ifndef APP_APP_OBJ_H
#define APP_APP_OBJ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "app/apdu_codec.h"
#include "lib/bytes.h"

#define APP_NO_INDEX		0xFFFFFFFFu	/* no array index given */
#define APP_DB_MAX		64		/* objects incl. the Device */
#define APP_NAME_MAX		64		/* octets incl. NUL */
#define APP_TEXT_MAX		128		/* description, location */
/* Protocol_Revision we claim: Network_Type secure-connect (11) needs 24. */
#define APP_PROTOCOL_REVISION	24
/*
 * Default Vendor_Identifier: no ASHRAE vendor id is assigned to this
 * project.  0 is ASHRAE's own id and is used only as a documented
 * placeholder until an operator configures a real one.
 */
#define APP_VENDOR_ID_PLACEHOLDER	0

struct app_err {
	uint32_t	cls;
	uint32_t	code;
};

/* Date and time as BACnet carries them (wday 1 = Monday; 0xFF unknown). */
struct app_datetime {
	struct apdu_date	date;
	struct apdu_time	time;
};

/* Property flags in a class table. */
#define APP_P_REQ	0x01	/* required (else optional) */
#define APP_P_ARRAY	0x02	/* BACnetARRAY: index 0 = size */
#define APP_P_WRITE	0x04	/* writable through WriteProperty */

struct app_prop {
	uint32_t	id;
	uint8_t		flags;
};

struct app_obj;

/*
 * Encode the whole value of property `prop` (application-tagged, an
 * array as its elements in order) into w.  Return 0, or -1 with *err set.
 * A writer overflow is not an error here: the caller checks w.
 */
typedef int (*app_read_fn)(const struct app_obj *o, uint32_t prop,
    struct wr *w, struct app_err *err);
/*
 * Write `prop` from the encoded value val/len (the octets between the
 * [3] opening and closing tags).  Return 0, or -1 with *err set.
 */
typedef int (*app_write_fn)(struct app_obj *o, uint32_t prop,
    uint32_t index, const uint8_t *val, size_t len, uint8_t priority,
    struct app_err *err);

/*
 * True if optional property prop of o is left out of this object (it
 * does not apply to the object's configuration); the object then has
 * no such property at all (Property_List, ALL, ReadProperty).
 */
typedef bool (*app_absent_fn)(const struct app_obj *o, uint32_t prop);

/* An object class: BACnet object type, its properties, its callbacks. */
struct app_class {
	uint16_t		 type;
	const struct app_prop	*props;
	size_t			 nprops;
	app_read_fn		 read;	/* type-specific properties */
	app_write_fn		 write;	/* NULL: only the common writables */
	app_absent_fn		 absent; /* NULL: every listed property */
};

struct app_db;

/* The part every object has; embed it first in a typed object. */
struct app_obj {
	const struct app_class	*cls;
	uint32_t		 instance;
	char			 name[APP_NAME_MAX];
	char			 description[APP_TEXT_MAX];
	struct app_db		*db;	/* set by app_db_add */
};

/*
 * Wall clock for Local_Date/Local_Time/UTC_Offset/Daylight_Savings_Status:
 * the local time, UTC_Offset (minutes west of UTC of local *standard*
 * time) and whether daylight saving time is in effect now.
 */
typedef void (*app_clock_fn)(void *arg, struct app_datetime *local,
    int32_t *utc_offset_min, bool *dst);
/*
 * Told after a successful WriteProperty (to persist or log it); a write
 * of Object_Name, Description or Location has already incremented
 * Database_Revision.
 */
typedef void (*app_written_fn)(void *arg, struct app_obj *o, uint32_t prop);

/* Device configuration (strings are copied by app_db_init). */
struct app_device_cfg {
	uint32_t	 instance;		/* 0..4194302 */
	const char	*name;			/* required, unique */
	const char	*description;		/* may be NULL */
	const char	*location;		/* may be NULL */
	uint16_t	 vendor_id;		/* see APP_VENDOR_ID_PLACEHOLDER */
	const char	*vendor_name;		/* NULL: a placeholder text */
	const char	*model_name;		/* NULL: "bacsc-router" */
	const char	*firmware_revision;	/* NULL: PACKAGE_VERSION */
	const char	*app_version;		/* NULL: PACKAGE_VERSION */
	uint8_t		 uuid[16];		/* Device_UUID (507) */
	uint16_t	 max_apdu;		/* 0: 1476 */
	bool		 segmented_transmit;	/* segmented Complex-ACKs */
	uint32_t	 apdu_timeout_ms;	/* 0: 3000 */
	uint32_t	 segment_timeout_ms;	/* 0: 2000 */
	uint8_t		 apdu_retries;		/* Number_Of_APDU_Retries */
	uint8_t		 window;		/* proposed window, 0: 4 */
	app_clock_fn	 clock;			/* NULL: app_clock_system */
	void		*clock_arg;
	app_written_fn	 written;		/* may be NULL */
	void		*written_arg;
};

struct app_device {
	struct app_obj	 obj;
	char		 location[APP_TEXT_MAX];
	char		 vendor_name[APP_NAME_MAX];
	char		 model_name[APP_NAME_MAX];
	char		 firmware[APP_NAME_MAX];
	char		 app_version[APP_NAME_MAX];
	uint16_t	 vendor_id;
	uint8_t		 uuid[16];
	uint16_t	 max_apdu;
	bool		 segmented_transmit;
	uint32_t	 apdu_timeout_ms;
	uint32_t	 segment_timeout_ms;
	uint8_t		 apdu_retries;
	uint8_t		 window;
	uint32_t	 database_revision;
	uint8_t		 system_status;		/* 0 operational */
	app_clock_fn	 clock;
	void		*clock_arg;
	app_written_fn	 written;
	void		*written_arg;
};

struct app_db {
	struct app_device	 dev;
	struct app_obj		*objs[APP_DB_MAX];	/* [0] is &dev.obj */
	size_t			 n;
};

/* Set up db with its Device object.  Return 0, or -1 on a bad config. */
int app_db_init(struct app_db *db, const struct app_device_cfg *cfg);
/*
 * Register o (borrows; it must stay valid while registered).  Return -1
 * if the db is full, or the identifier or name is already used.
 */
int app_db_add(struct app_db *db, struct app_obj *o);
/*
 * Unregister o (the others keep their order; Database_Revision + 1).
 * Return -1 if o is not registered or is the Device object.
 */
int app_db_remove(struct app_db *db, struct app_obj *o);
/* Find by identifier; instance 4194303 of Device means this device. */
struct app_obj *app_db_find(struct app_db *db, uint16_t type,
    uint32_t instance);
/* Find by object name (n octets, not NUL-terminated). */
struct app_obj *app_db_find_name(struct app_db *db, const char *name,
    size_t n);

/*
 * A 64-bit fingerprint (FNV-1a) of what Database_Revision stands for:
 * every object's type, instance, name and description, and the Device's
 * location.  Equal fingerprints: the same database.
 */
uint64_t app_db_fingerprint(const struct app_db *db);
/* 64-bit FNV-1a of p[0..n), continued from h (start: APP_FNV1A_INIT). */
#define APP_FNV1A_INIT	0xcbf29ce484222325ULL
uint64_t app_fnv1a(uint64_t h, const void *p, size_t n);

/* True if o has property prop; *flags receives its flags. */
bool app_obj_has_prop(const struct app_obj *o, uint32_t prop,
    uint8_t *flags);
/*
 * Read property prop (index APP_NO_INDEX for the whole value) into w.
 * Return 0, or -1 with *err (unknown property, not an array, bad index).
 */
int app_obj_read(const struct app_obj *o, uint32_t prop, uint32_t index,
    struct wr *w, struct app_err *err);
/* Write, with the checks WriteProperty needs.  Return 0 or -1 with err. */
int app_obj_write(struct app_obj *o, uint32_t prop, uint32_t index,
    const uint8_t *val, size_t len, uint8_t priority, struct app_err *err);

/* The system clock (localtime_r), usable as an app_clock_fn. */
void app_clock_system(void *arg, struct app_datetime *local,
    int32_t *utc_offset_min, bool *dst);
/*
 * The same at time t (+ nsec) in the process's time zone (TZ): local
 * time, the standard-time offset (minutes west; taken from a day of the
 * same year without daylight saving time, so zones whose DST is not one
 * hour and southern zones are right) and whether DST is in effect.
 */
void app_clock_at(time_t t, long nsec, struct app_datetime *local,
    int32_t *utc_offset_min, bool *dst);
/* Convert a time_t into a BACnet local date and time. */
void app_datetime_from_time(time_t t, struct app_datetime *out);
/* The "unspecified" date/time (all 0xFF), for never-happened stamps. */
void app_datetime_unspecified(struct app_datetime *out);

/* ---- Analog Value ------------------------------------------------- */

struct app_av;
typedef void (*app_av_written_fn)(void *arg, struct app_av *av, float v);

struct app_av {
	struct app_obj		 obj;
	float			 present_value;
	uint32_t		 units;		/* BACnetEngineeringUnits */
	bool			 pv_writable;
	app_av_written_fn	 on_write;	/* may be NULL */
	void			*on_write_arg;
};

void app_av_init(struct app_av *av, uint32_t instance, const char *name,
    uint32_t units, float value, bool pv_writable);

/* ---- File (certificate files; read-only) -------------------------- */

struct app_file {
	struct app_obj	 obj;
	const char	*path;		/* borrows; stat(2)ed at read time */
	const char	*file_type;	/* borrows; e.g. "application/x-pem-file" */
};

void app_file_init(struct app_file *f, uint32_t instance, const char *name,
    const char *path, const char *file_type);

/* ---- Network Port ------------------------------------------------- */

enum app_np_kind {
	APP_NP_BIP,
	APP_NP_SC,
};

/* BACnetHostNPort: host is none, an IP address, or a name. */
struct app_hostnport {
	uint8_t		 ip[16];
	uint8_t		 ip_len;	/* 0: no IP (then name or none) */
	const char	*name;		/* borrows; NULL: none */
	uint16_t	 port;
};

/* One BDT entry (BACnetBDTEntry). */
struct app_bdt_entry {
	uint8_t		ip[4];
	uint16_t	port;
	uint8_t		mask[4];
};

/* One FDT entry (BACnetFDTEntry). */
struct app_fdt_entry {
	uint8_t		ip[4];
	uint16_t	port;
	uint16_t	ttl;
	uint16_t	remaining;
};

/*
 * An SC connection status record: BACnetSCHubConnection (state, stamps,
 * error), BACnetSCHubFunctionConnection (+ peer address, VMAC, UUID) and
 * BACnetSCDirectConnection (+ uri) use the fields they need.
 */
struct app_sc_conn {
	uint8_t			 state;		/* APP_SCCONN_* */
	struct app_datetime	 connect_ts;
	struct app_datetime	 disconnect_ts;
	bool			 has_error;
	uint32_t		 err_class, err_code;
	const char		*err_details;	/* borrows; NULL: none */
	const char		*uri;		/* borrows; direct only */
	struct app_hostnport	 peer;
	uint8_t			 vmac[6];
	uint8_t			 uuid[16];
	bool			 no_vmac, no_uuid; /* failed requests only */
};

/*
 * One BACnetRouterEntry of Routing_Table: a first-hop router (its MAC on
 * this port) to a network; status 0 available, 1 busy, 2 disconnected.
 */
struct app_route {
	uint16_t	net;
	uint8_t		mac[8];
	uint8_t		mac_len;
	uint8_t		status;
	bool		has_perf;
	uint8_t		perf;		/* performance index */
};

/*
 * BACnetHealth (Current_Health, 135-2020cc): when the health last changed,
 * the result as an Error (success when healthy), the property that tells
 * more and a text.
 */
struct app_health {
	struct app_datetime	 ts;
	uint32_t		 err_class, err_code;
	bool			 has_prop;
	uint32_t		 prop;
	const char		*details;	/* borrows; NULL: none */
};

/* What the certificate watch found, for app_sc_health_judge. */
enum app_cert_state {
	APP_CERT_OK = 0,
	APP_CERT_EXPIRING,	/* valid, renewal due soon */
	APP_CERT_EXPIRED,
	APP_CERT_NOT_YET_VALID,
	APP_CERT_UNREADABLE,
};

/*
 * The health of an SC port from its hub connection (in's connector state
 * and primary status) and its worst certificate finding (cert, whether
 * it concerns the operational certificate, text borrowed into
 * out->details).  Fills everything but out->ts.  Pure.  Order: a bad
 * operational certificate, no hub connection, a bad issuer certificate,
 * running on the failover hub, an expiring certificate (still success),
 * healthy.
 */
struct app_netport_info;
void app_sc_health_judge(const struct app_netport_info *in,
    enum app_cert_state cert, bool cert_operational, const char *cert_text,
    struct app_health *out);

/*
 * List callbacks: call emit once per record (records borrowed per call).
 * One emit type serves every list; the record is the list's type below.
 */
typedef void (*app_emit_fn)(void *ea, const void *record);
typedef app_emit_fn app_bdt_emit_fn;	/* struct app_bdt_entry */
typedef app_emit_fn app_fdt_emit_fn;	/* struct app_fdt_entry */
typedef app_emit_fn app_conn_emit_fn;	/* struct app_sc_conn */
typedef app_emit_fn app_route_emit_fn;	/* struct app_route */
/* The shape of every list member of struct app_netport_ops. */
typedef void (*app_list_fn)(void *arg, app_emit_fn emit, void *ea);

struct app_netport_info;

struct app_netport_ops {
	/* Refresh the scalar fields of info from live state (may be NULL). */
	void	(*refresh)(void *arg, struct app_netport_info *info);
	/* The lists; each may be NULL (an empty list). */
	app_list_fn	bdt;		/* struct app_bdt_entry */
	app_list_fn	fdt;		/* struct app_fdt_entry */
	app_list_fn	hub_fn_conns;	/* struct app_sc_conn */
	app_list_fn	direct_conns;	/* struct app_sc_conn */
	/* SC_Failed_Connection_Requests: timestamp in connect_ts. */
	app_list_fn	failed_reqs;	/* struct app_sc_conn */
	/* Routing_Table: the routers reached through this port. */
	app_list_fn	routes;		/* struct app_route */
};

#define APP_NP_URIS_MAX		8
#define APP_NP_ISSUERS_MAX	8
#define APP_NP_DNS_MAX		3	/* resolv.conf's MAXNS */

/* The values of a Network Port; pointers borrow (must stay valid). */
struct app_netport_info {
	enum app_np_kind	 kind;
	uint16_t		 network_number;	/* 0: unknown */
	uint8_t			 network_number_quality;	/* APP_NNQ_* */
	uint8_t			 mac[6];	/* B/IP ip+port; SC VMAC */
	uint16_t		 apdu_length;	/* 0: 1476 */
	bool			 out_of_service;
	uint8_t			 reliability;	/* 0 no-fault-detected */
	float			 link_speed;	/* bit/s, 0 unknown */
	/* B/IP */
	uint8_t			 ip[4], mask[4], gateway[4];
	uint8_t			 dns[APP_NP_DNS_MAX][4]; /* IP_DNS_Server */
	size_t			 n_dns;
	bool			 dhcp_enable;	/* IP_DHCP_Enable */
	uint16_t		 udp_port;
	uint8_t			 ip_mode;	/* APP_IPMODE_* */
	bool			 bbmd_accept_fd;
	struct app_hostnport	 fd_bbmd;	/* foreign mode */
	uint16_t		 fd_ttl;
	bool			 nat_traversal;	/* behind NAT: global addr */
	struct app_hostnport	 global_addr;
	/* SC */
	uint32_t		 max_bvlc, max_npdu;
	const char		*primary_uri, *failover_uri;
	uint32_t		 min_reconnect_s, max_reconnect_s;
	uint32_t		 connect_wait_s, disconnect_wait_s;
	uint32_t		 heartbeat_s;
	uint8_t			 hub_connector_state;	/* APP_HUBC_* */
	struct app_sc_conn	 primary_status, failover_status;
	bool			 hub_fn_enable;
	const char		*hub_fn_accept_uris[APP_NP_URIS_MAX];
	size_t			 n_hub_fn_accept_uris;
	const char		*hub_fn_binding;
	struct app_health	 health;	/* Current_Health */
	bool			 dc_initiate_enable, dc_accept_enable;
	const char		*dc_accept_uris[APP_NP_URIS_MAX];
	size_t			 n_dc_accept_uris;
	const char		*dc_binding;
	uint32_t		 oper_cert_file;	/* File instance */
	uint32_t		 issuer_files[APP_NP_ISSUERS_MAX];
	size_t			 n_issuer_files;
	bool			 has_csr_file;	/* else no CSR property */
	uint32_t		 csr_file;
};

struct app_netport {
	struct app_obj			 obj;
	struct app_netport_info		 info;	/* owned here, filled by caller */
	const struct app_netport_ops	*ops;	/* borrows; may be NULL */
	void				*ops_arg;
};

/*
 * Initialise a Network Port of the given kind; the caller then fills
 * np->info (and np->ops for live values) before or after app_db_add.
 */
void app_netport_init(struct app_netport *np, uint32_t instance,
    const char *name, enum app_np_kind kind);

#endif
