// B/IP client (@bacnet-js/client) -> bacsc-router -> SC device (bacsc-scdev).
//   node route_bip_sc.js PORT SC_NET INSTANCE VMAC_HEX NAME VALUE [NAV]
// With NAV, one more ReadPropertyMultiple ALL of Analog Values 1..NAV (a
// large answer; the shell script checks its size in the capture).
// Checks, on what arrives: a local Who-Is does not find the SC device; a
// remote-broadcast Who-Is (DNET = SC network) and a global Who-Is do, with
// SNET = SC network and SADR = its VMAC; ReadProperty of present value and
// object name; WriteProperty read back; ReadPropertyMultiple ALL of the
// Device.  Prints one JSON line per step; exit 0 only if all passed.
'use strict';

const { makeClient } = require('./bacjs.js');

const [portT, netT, instT, vmacHex, name, valueT, navT] =
    process.argv.slice(2);
const port = parseInt(portT, 10), scNet = parseInt(netT, 10);
const inst = parseInt(instT, 10), value = parseFloat(valueT);
const vmac = Buffer.from(vmacHex, 'hex');
const client = makeClient(port, { fixHop: true });
const say = (o) => console.log(JSON.stringify(o));
const fail = (why) => { say({ fail: why }); client.close(); process.exit(1); };
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

let heard = [];
client.on('iAm', (msg) => heard.push(msg));
client.on('error', (e) => fail(e.message));

async function whoIs(label, receiver) {
    heard = [];
    client.whoIs(receiver, { lowLimit: inst, highLimit: inst });
    await sleep(1500);
    const m = heard.filter((x) => x.payload.deviceId === inst);
    say({ step: `who-is ${label}`, answers: m.length,
        from: m.map((x) => ({ address: x.header.sender.address,
            snet: x.header.sender.net,
            sadr: Buffer.from(x.header.sender.adr || []).toString('hex') })) });
    return m;
}

async function run() {
    const local = await whoIs('local', undefined);
    if (local.length !== 0) fail('a local Who-Is reached the SC network');
    for (const [label, rcv] of [['remote', { net: scNet }],
        ['global', { net: 0xffff }]]) {
        const m = await whoIs(label, rcv);
        if (m.length !== 1) fail(`${label} Who-Is: ${m.length} I-Am`);
        const s = m[0].header.sender;
        if (s.net !== scNet) fail(`${label}: SNET ${s.net}`);
        if (Buffer.compare(Buffer.from(s.adr), vmac) !== 0)
            fail(`${label}: SADR is not the VMAC`);
    }
    const s = heard.find((x) => x.payload.deviceId === inst).header.sender;
    const rx = { address: s.address, net: scNet, adr: [...vmac] };
    const rp = async (type, i, prop) =>
        (await client.readProperty(rx, { type, instance: i }, prop))
            .values[0].value;
    const pv = await rp(2, 1, 85);
    say({ step: 'read present-value', value: pv });
    if (Math.abs(pv - value) > 1e-6) fail('present value');
    const nm = await rp(8, inst, 77);
    say({ step: 'read object-name', value: nm });
    if (nm !== name) fail('object name');
    await client.writeProperty(rx, { type: 2, instance: 1 }, 85,
        [{ type: 4, value: 42.25 }], {});
    const pv2 = await rp(2, 1, 85);
    say({ step: 'write present-value 42.25, read back', value: pv2 });
    if (pv2 !== 42.25) fail('write not read back');
    const all = await client.readPropertyMultiple(rx,
        [{ objectId: { type: 8, instance: inst }, properties: [{ id: 8 }] }]);
    const n = all.values[0].values.length;
    say({ step: 'read-property-multiple ALL of the Device', properties: n });
    if (n < 20) fail('too few properties');
    if (navT) {
        const nav = parseInt(navT, 10), req = [];
        for (let i = 1; i <= nav; i++)
            req.push({ objectId: { type: 2, instance: i },
                properties: [{ id: 8 }] });
        const big = await client.readPropertyMultiple(rx, req);
        const objs = big.values.length;
        const props = big.values.reduce((a, o) => a + o.values.length, 0);
        say({ step: `read-property-multiple ALL of ${nav} Analog Values`,
            objects: objs, properties: props });
        if (objs !== nav || big.values.some((o) => o.values.length < 10))
            fail('large answer incomplete');
    }
    say({ ok: true, hopFixed: client.hopFixed });
    client.close();
    process.exit(0);
}

client.on('listening', () => run().catch((e) => fail(e.message)));
setTimeout(() => fail('timeout'), 30000);
