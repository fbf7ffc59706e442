// Continuous ReadProperty traffic from the B/IP side (@bacnet-js/client)
// through bacsc-router to an SC device, for the failover scenario.
//   node rp_loop.js PORT ROUTER_IP SC_NET VMAC_HEX TIMEOUT_MS PAUSE_MS
// Reads Analog Value 1's present value at (SC_NET, VMAC) through the
// router at ROUTER_IP:PORT, one request at a time (APDU timeout
// TIMEOUT_MS, no retries), PAUSE_MS between them, until SIGTERM.  Prints
// "ready", then one JSON line per request:
//   {"t0": sent (ms since the epoch), "t1": answered or given up, "ok": bool}
'use strict';

const { makeClient } = require('./bacjs.js');

const [portT, rip, netT, vmacHex, toT, pauseT] = process.argv.slice(2);
const port = parseInt(portT, 10), timeout = parseInt(toT, 10);
const pause = parseInt(pauseT, 10);
const client = makeClient(port, { fixHop: true, apduTimeout: timeout });
const rx = { address: `${rip}:${port}`, net: parseInt(netT, 10),
    adr: [...Buffer.from(vmacHex, 'hex')] };
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
let running = true;

async function loop() {
    while (running) {
        const t0 = Date.now();
        let ok = false;
        try {
            const v = await client.readProperty(rx,
                { type: 2, instance: 1 }, 85);
            ok = typeof v.values[0].value === 'number';
        } catch (e) {
            ok = false;
        }
        console.log(JSON.stringify({ t0, t1: Date.now(), ok }));
        await sleep(pause);
    }
}

client.on('error', (e) => console.log(JSON.stringify({ error: e.message })));
client.on('listening', () => { console.log('ready'); loop(); });
process.on('SIGTERM', () => {
    running = false;
    client.close();
    process.exit(0);
});
