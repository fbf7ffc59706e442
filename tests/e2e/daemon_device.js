// @bacnet-js/client against the real bacsc-router's own device (see
// daemon-device.sh): Who-Is finds it, ReadPropertyMultiple ALL reads the
// Device and both Network Ports (RPM: 3.3.2's ReadProperty drops property
// ids >= 4194304), the values are checked, then the primary hub is killed
// and the SC port must show connected-to-failover.
// The B/IP port's IPv4 properties (mask, gateway, DNS servers, DHCP, link
// speed) must equal EXPECT_JSON, which netport_expect.py worked out from
// the system.
//   node daemon_device.js UDP_PORT INSTANCE NAME ROUTER_IP PRIMARY_HUB_PID \
//       FD_IP FD_PORT EXPECT_JSON
'use strict';

const path = require('path');
const { makeClient, rpmValues, reporter } =
    require(path.join(__dirname, 'bacjs.js'));
const { checkIpv4Port } = require(path.join(__dirname, 'netport_check.js'));

const [portText, instText, devName, routerIp, hubPidText, fdIp, fdPortText,
    expectText] = process.argv.slice(2);
const port = parseInt(portText, 10);
const inst = parseInt(instText, 10);
const client = makeClient(port, { apduTimeout: 4000 });
const { say, fail, check } = reporter(client);
const DEVICE = 8, NP = 56;
const P = {
    OBJECT_NAME: 77, OBJECT_LIST: 76, PROTOCOL_REVISION: 139,
    MODEL_NAME: 70, DESCRIPTION: 28, LOCATION: 58, DEVICE_UUID: 507,
    DATABASE_REVISION: 155, UTC_OFFSET: 119, DST: 24,
    NETWORK_TYPE: 427, NETWORK_NUMBER: 425, NETWORK_NUMBER_QUALITY: 426,
    MAC_ADDRESS: 423, IP_ADDRESS: 400, UDP_PORT: 412, IP_MODE: 408,
    BBMD_ACCEPT_FD: 413, BDT: 414, FDT: 415,
    HUB_CONNECTOR_STATE: 4194318, PRIMARY_STATUS: 4194324,
    FAILOVER_STATUS: 4194316, PRIMARY_URI: 4194325, FAILOVER_URI: 4194317,
    HUB_FN_ENABLE: 4194322, HUB_FN_STATUS: 4194321, HEARTBEAT: 4194323,
    CURRENT_HEALTH: 4194307, OPERATIONAL_CERT: 4194306,
};

const values = rpmValues;
const first = (vals, id) => {
    check(Array.isArray(vals[id]) && vals[id].length > 0,
        `property ${id} missing`);
    const v = vals[id][0];
    check(v.value !== undefined && !(v.value && v.value.errorClass !== undefined),
        `property ${id} answered with an error`);
    return v.value;
};

async function rpmAll(rx, type, instance) {
    return values(await client.readPropertyMultiple(rx,
        [{ objectId: { type, instance }, properties: [{ id: 8 }] }]));
}

// A BACnetSCHubConnection as 3.3.2 hands it over: context-tagged items
// left undecoded ({type: 118, value: ...}).  Take connection-state [0]
// (one octet), the year of disconnect-timestamp [2] and whether error [3]
// (class, code) is there.
function hubConn(list) {
    check(Array.isArray(list) && list.length >= 3, 'hub connection status');
    const st = list[0].value && list[0].value.value;
    check(Buffer.isBuffer(st) && st.length === 1, 'connection-state');
    const disc = list[2].value;
    check(Array.isArray(disc) && disc[0].type === 10, 'disconnect-timestamp');
    const err = list.length > 3 && Array.isArray(list[3].value) ?
        errorPair(list[3]) : null;
    return { state: st[0], disconnected: new Date(disc[0].value).getUTCFullYear(),
        error: err };
}

// An Error (class, code) inside a constructed value, as 3.3.2 gives it:
// the class decoded, the code as a context octet.
function errorPair(item) {
    const v = item.value;
    check(Array.isArray(v) && v.length === 2, 'error pair');
    const code = Buffer.isBuffer(v[1].value) ? v[1].value[0] : v[1].value;
    return { cls: v[0].value, code };
}

// BACnetHealth: timestamp [0], result [1] (Error), property [2], details.
function health(list) {
    check(Array.isArray(list) && list.length >= 2, 'current health');
    return errorPair(list[1]);
}

async function readOne(rx, instance, id) {
    const vals = values(await client.readPropertyMultiple(rx,
        [{ objectId: { type: NP, instance }, properties: [{ id }] }]));
    return vals[id];
}

async function run(addr) {
    const rx = { address: addr };
    const d = await rpmAll(rx, DEVICE, inst);
    const ids = Object.keys(d).map(Number);
    say({ event: 'device-all', properties: ids.length });
    check(first(d, P.OBJECT_NAME) === devName, 'object name');
    check(first(d, P.MODEL_NAME) === 'bacsc-router', 'model name');
    check(first(d, P.PROTOCOL_REVISION) === 24, 'protocol revision');
    check(first(d, P.DESCRIPTION) === 'e2e device', 'description');
    check(first(d, P.LOCATION) === 'loopback', 'location');
    check(typeof first(d, P.DATABASE_REVISION) === 'number',
        'database revision');
    const list = d[P.OBJECT_LIST].map((v) => v.value);
    say({ event: 'object-list', objects: list });
    for (const i of [1, 2])
        check(list.some((o) => o.type === NP && o.instance === i),
            `object list lacks Network Port ${i}`);
    check(ids.length >= 30, `only ${ids.length} device properties`);
    check(typeof first(d, P.DST) === 'boolean', 'Daylight_Savings_Status');
    check(list.some((o) => o.type === 10 && o.instance === 17),
        'object list lacks the SC port\'s certificate File');
    // A write of Location increments Database_Revision.
    const rev0 = first(d, P.DATABASE_REVISION);
    await client.writeProperty(rx, { type: DEVICE, instance: inst },
        P.LOCATION, [{ type: 7, value: 'loopback-2' }], {});
    const d2 = values(await client.readPropertyMultiple(rx,
        [{ objectId: { type: DEVICE, instance: inst },
            properties: [{ id: P.LOCATION }, { id: P.DATABASE_REVISION }] }]));
    say({ event: 'written-location', revision: [rev0,
        first(d2, P.DATABASE_REVISION)] });
    check(first(d2, P.LOCATION) === 'loopback-2', 'location written');
    check(first(d2, P.DATABASE_REVISION) === rev0 + 1,
        'Database_Revision did not follow the write');

    const bip = await rpmAll(rx, NP, 1);
    say({ event: 'netport-all', instance: 1,
        properties: Object.keys(bip).length,
        networkType: first(bip, P.NETWORK_TYPE),
        network: first(bip, P.NETWORK_NUMBER) });
    check(first(bip, P.OBJECT_NAME) === 'bip0', 'B/IP port name');
    check(first(bip, P.NETWORK_TYPE) === 5, 'B/IP network type ipv4');
    check(first(bip, P.NETWORK_NUMBER) === 31, 'B/IP network number');
    check(first(bip, P.NETWORK_NUMBER_QUALITY) === 3,
        'B/IP network number quality configured');
    check(first(bip, P.UDP_PORT) === port, 'B/IP UDP port');
    check(first(bip, P.IP_MODE) === 2, 'B/IP mode bbmd');
    check(first(bip, P.BBMD_ACCEPT_FD) === true, 'BBMD accepts FDs');
    // BDT and FDT records: context-tagged, so look for the octets.
    const octets = (ip, p) => JSON.stringify([...ip.split('.').map(Number),
        p >> 8, p & 255]);
    const bdt = JSON.stringify(bip[P.BDT]);
    check(bdt.includes(JSON.stringify(routerIp.split('.').map(Number))),
        'BDT lacks the router');
    const fdt = JSON.stringify(bip[P.FDT]);
    const fdPort = parseInt(fdPortText, 10);
    check(fdt.includes(octets(fdIp, fdPort).slice(1, -1)),
        'FDT lacks the foreign device');
    say({ event: 'bbmd-tables', bdt: bip[P.BDT].length,
        fdt: bip[P.FDT].length });
    const ip = first(bip, P.IP_ADDRESS);
    check(Array.isArray(ip) && ip.join('.') === routerIp, 'B/IP address');
    say({ event: 'ipv4-props', values: checkIpv4Port(bip,
        JSON.parse(expectText), check) });

    const sc = await rpmAll(rx, NP, 2);
    say({ event: 'netport-all', instance: 2,
        properties: Object.keys(sc).length,
        networkType: first(sc, P.NETWORK_TYPE),
        network: first(sc, P.NETWORK_NUMBER),
        hubConnectorState: first(sc, P.HUB_CONNECTOR_STATE) });
    check(first(sc, P.OBJECT_NAME) === 'sc0', 'SC port name');
    check(first(sc, P.NETWORK_TYPE) === 11, 'SC network type secure-connect');
    check(first(sc, P.NETWORK_NUMBER) === 41, 'SC network number');
    check(first(sc, P.HUB_CONNECTOR_STATE) === 1,
        'hub connector state connected-to-primary');
    check(first(sc, P.PRIMARY_URI).startsWith('wss://127.0.0.1:'),
        'primary hub URI');
    check(first(sc, P.FAILOVER_URI).startsWith('wss://127.0.0.1:'),
        'failover hub URI');
    check(first(sc, P.HUB_FN_ENABLE) === true, 'hub function enabled');
    check(first(sc, P.HEARTBEAT) === 30, 'heartbeat timeout');
    const mac = first(sc, P.MAC_ADDRESS);
    check(Array.isArray(mac) && mac.map((b) => b.toString(16)).join(':') ===
        '2:0:0:0:41:1', 'SC MAC address = VMAC');
    const hf = JSON.stringify(sc[P.HUB_FN_STATUS]);
    check(hf.includes('"data":[127,0,0,1]'),
        'hub function connection lacks the peer address 127.0.0.1');
    check(hf.includes('"data":[2,0,0,0,65,2]'),
        'hub function connection lacks the device VMAC');
    const h0 = health(sc[P.CURRENT_HEALTH]);
    say({ event: 'current-health', result: h0 });
    check(h0.cls === 7 && h0.code === 84, 'Current_Health not success');
    check(first(sc, P.OPERATIONAL_CERT) && first(sc, P.OPERATIONAL_CERT).type === 10,
        'Operational_Certificate_File');
    const p0 = hubConn(sc[P.PRIMARY_STATUS]);
    const f0 = hubConn(sc[P.FAILOVER_STATUS]);
    say({ event: 'hub-status', primary: p0, failover: f0 });
    check(p0.state === 1 && p0.error === null, 'primary hub connected');
    check(f0.state === 0, 'failover hub not connected');
    process.kill(parseInt(hubPidText, 10), 'SIGKILL');
    say({ event: 'primary-hub-killed' });
    let state = 1;
    const t0 = Date.now();
    while (Date.now() - t0 < 15000) {
        await new Promise((r) => setTimeout(r, 250));
        state = (await readOne(rx, 2, P.HUB_CONNECTOR_STATE))[0].value;
        if (state === 2) break;
    }
    say({ event: 'hub-connector-state', state, ms: Date.now() - t0 });
    check(state === 2, 'hub connector state did not become connected-to-failover');
    const after = await rpmAll(rx, NP, 2);
    const p1 = hubConn(after[P.PRIMARY_STATUS]);
    const f1 = hubConn(after[P.FAILOVER_STATUS]);
    say({ event: 'after-failover', primary: p1, failover: f1 });
    // disconnected-with-errors (2) or failed-to-connect (3) once the
    // reconnection attempts are refused; a disconnect time and an error.
    check(p1.state === 2 || p1.state === 3, 'primary hub state after the kill');
    check(p1.disconnected !== 1900 && p1.error !== null &&
        p1.error.cls === 7, 'primary hub disconnect not recorded');
    check(f1.state === 1, 'failover hub connected');
    const h1 = health(after[P.CURRENT_HEALTH]);
    say({ event: 'current-health', result: h1 });
    check(h1.cls === 7 && h1.code !== 84,
        'Current_Health still success on the failover hub');
    console.log(`REVISION ${rev0 + 1}`);
    client.close();
    process.exit(0);
}

client.on('error', (e) => fail(e.message));
let started = false;
client.on('iAm', (msg) => {
    if (msg.payload.deviceId !== inst || started) return;
    started = true;
    say({ event: 'iAm', from: msg.header.sender.address,
        maxApdu: msg.payload.maxApdu, segmentation: msg.payload.segmentation,
        vendorId: msg.payload.vendorId });
    check(msg.header.sender.address.startsWith(routerIp),
        'I-Am not from the router address');
    run(msg.header.sender.address).catch((e) => fail(e.stack || e.message));
});
client.on('listening', () => client.whoIs());
setTimeout(() => fail('timeout'), 40000);
