// @bacnet-js/client against the application entity behind app-udp:
// discovers device 4711 by Who-Is, reads every property of the Device and
// of both Network Port objects with ReadPropertyMultiple ALL (the SC port's
// answer needs segments; the Device is also read with Max-APDU 206 to force
// windows of segments), writes the Analog Value, sees a refused write, and
// sees SC_Hub_Connector_State change when the hub goes down.
//   node app_client.js PORT ADDR FLAGDIR
'use strict';

const path = require('path');
const fs = require('fs');
const Bacnet = require(path.join(process.env.top_srcdir || '.',
    'node_modules', '@bacnet-js/client'));
const B = Bacnet;
const { rpmValues } = require(path.join(__dirname, 'bacjs.js'));

const [portText, addr, flagDir] = process.argv.slice(2);
const port = parseInt(portText, 10);
const client = new Bacnet.default({
    port,
    broadcastAddress: `127.255.255.255:${port}`,
    apduTimeout: 3000,
});
const say = (o) => console.log(JSON.stringify(o));
const fail = (why) => { say({ fail: why }); client.close(); process.exit(1); };
const T = B.ObjectType || {};
const DEVICE = 8, AV = 2, NP = 56;

const values = rpmValues;

async function run(dev) {
    const rx = { address: dev };
    const all = [{ id: 8 }];
    const d = values(await client.readPropertyMultiple(rx,
        [{ objectId: { type: DEVICE, instance: 4711 }, properties: all }]));
    const ids = Object.keys(d).map(Number);
    say({ event: 'device-all', properties: ids.length });
    if (d[139][0].value !== 24) fail('protocol-revision');
    if (d[70][0].value !== 'bacsc-router') fail('model-name');
    if (ids.length < 25) fail('too few device properties');
    const small = values(await client.readPropertyMultiple(rx,
        [{ objectId: { type: DEVICE, instance: 4711 }, properties: all }],
        { maxApdu: 2 /* 206 octets */, maxSegments: 7 }));
    if (Object.keys(small).length !== ids.length) fail('segmented device');
    say({ event: 'device-all-206', properties: Object.keys(small).length });
    for (const inst of [1, 2]) {
        const np = values(await client.readPropertyMultiple(rx,
            [{ objectId: { type: NP, instance: inst }, properties: all }]));
        say({ event: 'netport-all', instance: inst,
            properties: Object.keys(np).length,
            networkType: np[427][0].value });
    }
    // (readProperty of 4194318 leaves the property out of the request in
    // @bacnet-js/client 3.3.2; ReadPropertyMultiple encodes it.)
    const st = async () => values(await client.readPropertyMultiple(rx,
        [{ objectId: { type: NP, instance: 2 },
            properties: [{ id: 4194318 }] }]))[4194318][0].value;
    const before = await st();
    fs.writeFileSync(path.join(flagDir, 'hub-down'), '');
    await new Promise((r) => setTimeout(r, 200));
    const after = await st();
    say({ event: 'hub-state', before, after });
    if (before !== 1 || after !== 0) fail('hub connector state');
    await client.writeProperty(rx, { type: AV, instance: 1 }, 85,
        [{ type: 4, value: 23.5 }], {});
    const pv = (await client.readProperty(rx, { type: AV, instance: 1 },
        85)).values[0].value;
    say({ event: 'written', pv });
    if (pv !== 23.5) fail('write present value');
    try {
        await client.writeProperty(rx, { type: DEVICE, instance: 4711 }, 121,
            [{ type: 7, value: 'x' }], {});
        fail('vendor-name write accepted');
    } catch (e) {
        say({ event: 'refused', error: e.message });
    }
    client.close();
    process.exit(0);
}

client.on('error', (e) => fail(e.message));
client.on('iAm', (msg) => {
    if (msg.payload.deviceId !== 4711) return;
    say({ event: 'iAm', from: msg.header.sender.address,
        maxApdu: msg.payload.maxApdu, segmentation: msg.payload.segmentation,
        vendorId: msg.payload.vendorId });
    run(msg.header.sender.address).catch((e) => fail(e.message));
});
client.on('listening', () => client.whoIs());
setTimeout(() => fail('timeout'), 15000);
