// Shared helpers for the end-to-end scripts that use @bacnet-js/client.
//   reporter(client) : say / fail / check for a scenario's JSON lines.
//   makeClient(port, { fixHop, bind }) : a client on 0.0.0.0:port
//   broadcasting to 127.255.255.255:port.  With fixHop, every NPDU it sends
//   with a DNET and hop count 0 (what 3.3.2 writes in answers to remote
//   networks) is sent with hop count 255 instead, as clause 6.2.2 wants of
//   an originator.  With bind (an address on lo), the client's socket is
//   bound to bind:port instead, and a second socket on 127.255.255.255:port
//   hears the broadcasts (one bound to an address does not), as the
//   router's B/IP port does: several programs, each on its own address,
//   then share the B/IP port number of one loopback "subnet".
'use strict';

const dgram = require('dgram');
const path = require('path');
const Bacnet = require(path.join(process.env.top_srcdir || '.',
    'node_modules', '@bacnet-js/client'));

// Offset of the hop count in a B/IP datagram's NPDU, or -1 if none.
function hopOffset(buf, len) {
    if (len < 6 || buf[0] !== 0x81) return -1;
    let i = buf[1] === 0x04 ? 10 : 4;
    if (buf[i] !== 0x01) return -1;
    const ctl = buf[i + 1];
    i += 2;
    if (!(ctl & 0x20)) return -1;
    i += 3 + buf[i + 2];
    if (ctl & 0x08) i += 3 + buf[i + 2];
    return i < len ? i : -1;
}

function makeClient(port, opts = {}) {
    const client = new Bacnet.default({
        port,
        interface: opts.bind,
        broadcastAddress: `127.255.255.255:${port}`,
        apduTimeout: opts.apduTimeout || 3000,
    });
    if (opts.bind)
        hearBroadcasts(client, opts.bind, port);
    client.hopFixed = 0;
    if (opts.fixHop) {
        const t = client._transport;
        const send = t.send.bind(t);
        t.send = (buffer, offset, receiver) => {
            const h = hopOffset(buffer, offset);
            if (h >= 0 && buffer[h] === 0) {
                buffer[h] = 255;
                client.hopFixed++;
            }
            send(buffer, offset, receiver);
        };
    }
    return client;
}

// A socket on the broadcast address that hands what it hears, except the
// client's own broadcasts, to the client's transport.
function hearBroadcasts(client, bind, port) {
    const t = client._transport;
    const bc = dgram.createSocket({ type: 'udp4', reuseAddr: true });
    bc.on('message', (msg, rinfo) => {
        if (rinfo.address === bind && rinfo.port === port)
            return;
        t.emit('message', msg, rinfo.address +
            (rinfo.port === 47808 ? '' : `:${rinfo.port}`));
    });
    bc.on('error', (e) => t.emit('error', e));
    bc.bind(port, '127.255.255.255');
    const close = t.close.bind(t);
    t.close = () => { bc.close(); close(); };
}

// { propertyId: [decoded values] } of the objects of an RPM answer.
function rpmValues(res) {
    const out = {};
    for (const o of res.values)
        for (const v of o.values)
            out[v.id] = v.value;
    return out;
}

// say(obj) prints one JSON line; fail(why) says it, closes the client and
// exits 1; check(cond, why) fails unless cond.
function reporter(client) {
    const say = (o) => console.log(JSON.stringify(o));
    const fail = (why) => {
        say({ fail: why });
        client.close();
        process.exit(1);
    };
    return { say, fail, check: (cond, why) => { if (!cond) fail(why); } };
}

module.exports = { Bacnet, makeClient, hopOffset, rpmValues, reporter };
