// @bacnet-js/client reads the B/IP Network Ports of a bacsc-router in a
// network namespace (see daemon-netport.sh) with ReadPropertyMultiple ALL,
// each through its own port's address, and checks the interface
// properties against what the test expects.
//   node daemon_netport.js UDP_PORT CLIENT_PORT INSTANCE IP EXPECT_JSON \
//       [INSTANCE IP EXPECT_JSON ...]
'use strict';

const path = require('path');
const { makeClient, rpmValues, reporter } =
    require(path.join(__dirname, 'bacjs.js'));
const { checkIpv4Port } = require(path.join(__dirname, 'netport_check.js'));

const args = process.argv.slice(2);
const port = parseInt(args[0], 10);
const client = makeClient(parseInt(args[1], 10), { apduTimeout: 4000 });
const { say, fail, check } = reporter(client);

async function run() {
    for (let i = 2; i + 2 < args.length; i += 3) {
        const instance = parseInt(args[i], 10), ip = args[i + 1];
        const expect = JSON.parse(args[i + 2]);
        const vals = rpmValues(await client.readPropertyMultiple(
            { address: `${ip}:${port}` },
            [{ objectId: { type: 56, instance }, properties: [{ id: 8 }] }]));
        const addr = vals[400] && vals[400][0].value;
        check(Array.isArray(addr) && addr.join('.') === ip,
            `Network Port ${instance}: IP_Address is not ${ip}`);
        say({ event: 'netport', instance, ip,
            values: checkIpv4Port(vals, expect, check) });
    }
    client.close();
    process.exit(0);
}

client.on('error', (e) => fail(e.message));
client.on('listening', () => run().catch((e) => fail(e.stack || e.message)));
setTimeout(() => fail('timeout'), 20000);
