// The B/IP side of the Quick start demo, with @bacnet-js/client (npm).
// One client on 0.0.0.0:PORT plays two parts (two processes could not
// share the B/IP port of one loopback "subnet" for unicast):
//  - a BACnet/IP device, instance BIP_INST ("bip-device-BIP_INST", Analog
//    Value 1 = 19.75), answering Who-Is and ReadProperty, for the SC side;
//  - the client of the demo: a global Who-Is that must find every SC device
//    listed (SNET = SC_NET, SADR = its VMAC), ReadProperty of the first
//    one's present value and object name, WriteProperty read back.
// Answers to remote networks are sent with hop count 255 (the library
// writes 0, which routers discard).  Prints plain sentences; prints
// "CLIENT-DONE ok" (or "CLIENT-DONE failed") and keeps serving as a
// device until SIGTERM.
//   node demo_bip.js PORT SC_NET BIP_INST SC_INST:VMAC_HEX...
'use strict';

const { makeClient } = require('../tests/e2e/bacjs.js');

const [portT, netT, bipT, ...devs] = process.argv.slice(2);
const port = parseInt(portT, 10), scNet = parseInt(netT, 10);
const bipInst = parseInt(bipT, 10);
const want = devs.map((d) => {
    const [i, v] = d.split(':');
    return { inst: parseInt(i, 10), vmac: v };
});
const client = makeClient(port, { fixHop: true });
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const heard = new Map();
let bipValue = 19.75;

client.on('error', (e) => console.log(`  error from the library: ${e.message}`));
client.on('iAm', (msg) => heard.set(msg.payload.deviceId, msg.header.sender));
client.on('whoIs', (msg) => {
    const p = msg.payload || {};
    if (p.lowLimit !== undefined &&
        (bipInst < p.lowLimit || bipInst > p.highLimit))
        return;
    client.iAmResponse(msg.header.sender, bipInst, 3, 999);
});
client.on('readProperty', (msg) => {
    const s = msg.header.sender, o = msg.payload.objectId;
    const prop = msg.payload.property;
    if (o.type === 8 && o.instance === bipInst && prop.id === 77)
        client.readPropertyResponse(s, msg.invokeId, o, prop,
            [{ type: 7, value: `bip-device-${bipInst}` }]);
    else if (o.type === 2 && o.instance === 1 && prop.id === 85)
        client.readPropertyResponse(s, msg.invokeId, o, prop,
            [{ type: 4, value: bipValue }]);
    else
        client.errorResponse(s, 12, msg.invokeId, 2, 32);
    console.log(`  (B/IP device ${bipInst}: answered a ReadProperty from ` +
        `network ${s.net || 'local'}${s.adr ? ' address ' +
        Buffer.from(s.adr).toString('hex') : ''})`);
});

async function clientPart() {
    console.log('  global Who-Is (DNET 65535) sent to 127.255.255.255');
    client.whoIs({ net: 0xffff });
    await sleep(2000);
    let ok = true;
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

client.on('listening', () => {
    clientPart().then((ok) => console.log(`CLIENT-DONE ${ok ? 'ok' : 'failed'}`),
        (e) => console.log(`  request failed: ${e.message}\nCLIENT-DONE failed`));
});
process.on('SIGTERM', () => { client.close(); process.exit(0); });
setTimeout(() => { client.close(); process.exit(0); }, 120000);
