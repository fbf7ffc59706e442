// The B/IP client of the Quick start demo, with @bacnet-js/client (npm),
// on BIND:PORT (its own loopback address; it hears broadcasts on
// 127.255.255.255:PORT).  The B/IP device of the demo is another program
// (tests/e2e/bip_device.js) on another address of the same B/IP network.
// A global Who-Is must find every SC device listed (SNET = SC_NET, SADR =
// its VMAC) through the router; then ReadProperty of the first one's
// object name and present value, WriteProperty read back.  Requests to
// remote networks are sent with hop count 255 (the library writes 0, which
// routers discard).  Prints plain sentences and exits 0 when every step
// worked, 1 otherwise.
//   node demo_bip.js PORT BIND SC_NET SC_INST:VMAC_HEX...
'use strict';

const { makeClient } = require('../tests/e2e/bacjs.js');

const [portT, bind, netT, ...devs] = process.argv.slice(2);
const port = parseInt(portT, 10), scNet = parseInt(netT, 10);
const want = devs.map((d) => {
    const [i, v] = d.split(':');
    return { inst: parseInt(i, 10), vmac: v };
});
const client = makeClient(port, { fixHop: true, bind });
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const heard = new Map();

client.on('error', (e) => console.log(`  error from the library: ${e.message}`));
client.on('iAm', (msg) => heard.set(msg.payload.deviceId, msg.header.sender));

async function run() {
    console.log(`  B/IP client on ${bind}:${port}: global Who-Is (DNET 65535) ` +
        `sent to 127.255.255.255:${port}`);
    client.whoIs({ net: 0xffff });
    await sleep(2000);
    let ok = true;
    for (const [inst, s] of heard)
        if (!s.net)
            console.log(`  found device ${inst} at ${s.address}: on this ` +
                'B/IP network (no router between)');
    for (const w of want) {
        const s = heard.get(w.inst);
        if (!s) {
            console.log(`  NOT FOUND: SC device ${w.inst}`);
            ok = false;
            continue;
        }
        const sadr = Buffer.from(s.adr || []).toString('hex');
        console.log(`  found device ${w.inst} through router ${s.address}: ` +
            `SNET ${s.net}, SADR ${sadr}`);
        if (s.net !== scNet || sadr !== w.vmac) {
            console.log(`  WRONG: expected SNET ${scNet}, SADR ${w.vmac}`);
            ok = false;
        }
    }
    if (!ok) return false;
    const d = want[0];
    const rx = { address: heard.get(d.inst).address, net: scNet,
        adr: [...Buffer.from(d.vmac, 'hex')] };
    const rp = async (type, inst, prop) =>
        (await client.readProperty(rx, { type, instance: inst }, prop))
            .values[0].value;
    const name = await rp(8, d.inst, 77);
    console.log(`  ReadProperty device ${d.inst} object-name: "${name}"`);
    const pv = await rp(2, 1, 85);
    console.log(`  ReadProperty analog-value 1 present-value: ${pv}`);
    await client.writeProperty(rx, { type: 2, instance: 1 }, 85,
        [{ type: 4, value: 55.5 }], {});
    console.log('  WriteProperty analog-value 1 present-value := 55.5');
    const pv2 = await rp(2, 1, 85);
    console.log(`  ReadProperty again: ${pv2}`);
    return pv2 === 55.5 && name === `sc-device-${d.inst}`;
}

const done = (ok) => { client.close(); process.exit(ok ? 0 : 1); };
client.on('listening', () => {
    run().then(done, (e) => {
        console.log(`  request failed: ${e.message}`);
        done(false);
    });
});
setTimeout(() => { console.log('  timed out'); done(false); }, 30000);
