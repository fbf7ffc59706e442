// An independent BACnet/IP peer (@bacnet-js/client) for the B/IP tests.
//
//   node bip_peer.js plain PORT OUR_ADDR   -- a node on the same "subnet"
//   node bip_peer.js fd PORT BBMD_ADDR     -- a foreign device of BBMD_ADDR
//
// It is BACnet device 5678.  It answers every Who-Is with an I-Am (in fd
// mode through the BBMD as Distribute-Broadcast-To-Network), sends Who-Is
// every 300 ms, and exits 0 once it has parsed an I-Am of device 1234 sent
// by OUR_ADDR / BBMD_ADDR.  Prints one JSON line per event.
'use strict';

const path = require('path');
const Bacnet = require(path.join(process.env.top_srcdir || '.',
    'node_modules', '@bacnet-js/client'));

const [mode, portText, peer] = process.argv.slice(2);
const port = parseInt(portText, 10);
const client = new Bacnet.default({
    port,
    // 255.255.255.255 would leave the host; without a port it would go
    // to 47808, not to the test's port
    broadcastAddress: `127.255.255.255:${port}`,
    apduTimeout: 2000,
});
const say = (o) => console.log(JSON.stringify(o));
let answered = false;
let done = false;

const finish = (code) => {
    if (done) return;
    done = true;
    setTimeout(() => { client.close(); process.exit(code); }, 500);
};

client.on('error', (e) => { say({ error: e.message }); finish(2); });

client.on('iAm', (msg) => {
    const s = msg.header.sender;
    say({ event: 'iAm', deviceId: msg.payload.deviceId, from: s.address,
        forwardedFrom: s.forwardedFrom, func: msg.header.func });
    if (msg.payload.deviceId === 1234 && answered &&
        (s.address === peer || s.forwardedFrom === peer))
        finish(0);
});

client.on('whoIs', (msg) => {
    const s = msg.header.sender;
    say({ event: 'whoIs', from: s.address, forwardedFrom: s.forwardedFrom,
        func: msg.header.func });
    const to = mode === 'fd' ?
        { address: peer, distributeBroadcastToNetwork: true } : undefined;
    client.iAmResponse(to, 5678, 3, 999);
    answered = true;
});

const tick = () => {
    if (done) return;
    if (mode === 'fd')
        client.whoIsThroughBBMD({ address: peer });
    else
        client.whoIs();
};

client.on('listening', async () => {
    say({ event: 'listening', port, mode });
    if (mode === 'fd') {
        try {
            await client.registerForeignDevice({ address: peer }, 60);
            say({ event: 'registered', bbmd: peer });
        } catch (e) {
            say({ event: 'register-failed', error: e.message });
            finish(1);
            return;
        }
    }
    setInterval(tick, 300).unref();
    tick();
});

setTimeout(() => { say({ event: 'timeout' }); finish(1); }, 10000);
