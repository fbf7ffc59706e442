// A BACnet/IP device simulated with @bacnet-js/client, for the routed
// tests and the demo: device INSTANCE with object name NAME and an
// Analog Value 1 (present value VALUE).  It answers Who-Is (range
// honoured) with an I-Am to the requester and ReadProperty of Device
// object-name / Analog Value 1 present-value; other reads get an error.
//   node bip_device.js PORT INSTANCE NAME VALUE fix|nofix [BIND]
// "fix" wraps the transport so that answers to remote networks carry hop
// count 255 (3.3.2 writes 0); "nofix" leaves the library as it is.
// BIND (an address on lo): the device is on BIND:PORT rather than on
// 0.0.0.0:PORT, and hears broadcasts on 127.255.255.255:PORT.
// Prints "ready" and one JSON line per request (a Who-Is with its range
// limits); runs until killed.
'use strict';

const { makeClient } = require('./bacjs.js');

const [portT, instT, name, valueT, fix, bind] = process.argv.slice(2);
const port = parseInt(portT, 10), inst = parseInt(instT, 10);
const value = parseFloat(valueT);
const client = makeClient(port, { fixHop: fix === 'fix', bind });
const say = (o) => console.log(JSON.stringify(o));
const who = (s) => ({ address: s.address, net: s.net,
    adr: s.adr ? Buffer.from(s.adr).toString('hex') : undefined });

client.on('error', (e) => say({ error: e.message }));
client.on('whoIs', (msg) => {
    const p = msg.payload || {};
    if (p.lowLimit !== undefined && (inst < p.lowLimit || inst > p.highLimit))
        return;
    client.iAmResponse(msg.header.sender, inst, 3, 999);
    say({ event: 'whoIs', from: who(msg.header.sender),
        low: p.lowLimit, high: p.highLimit, hopFixed: client.hopFixed });
});
client.on('readProperty', (msg) => {
    const s = msg.header.sender, o = msg.payload.objectId;
    const prop = msg.payload.property;
    say({ event: 'readProperty', from: who(s), object: o, property: prop.id });
    if (o.type === 8 && o.instance === inst && prop.id === 77)
        client.readPropertyResponse(s, msg.invokeId, o, prop,
            [{ type: 7, value: name }]);
    else if (o.type === 2 && o.instance === 1 && prop.id === 85)
        client.readPropertyResponse(s, msg.invokeId, o, prop,
            [{ type: 4, value }]);
    else
        client.errorResponse(s, 12, msg.invokeId, 2, 32);
});
client.on('listening', () => console.log('ready'));
process.on('SIGTERM', () => { client.close(); process.exit(0); });
