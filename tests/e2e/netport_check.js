// The IPv4 Network Port properties that follow the system, checked against
// what netport_expect.py worked out from iproute2: IP_Subnet_Mask (411),
// IP_Default_Gateway (401), IP_DNS_Server (406, an array of 4-octet
// strings), IP_DHCP_Enable (402), Link_Speed (420), plus APDU_Length and
// the required properties of every Network Port.
//   checkIpv4Port(vals, expect, check) -> a summary for the log
'use strict';

const P = {
    MASK: 411, GATEWAY: 401, DNS: 406, DHCP: 402, LINK_SPEED: 420,
    APDU_LENGTH: 399, PROPERTY_LIST: 371, CHANGES_PENDING: 416,
    RELIABILITY: 103, OUT_OF_SERVICE: 81, STATUS_FLAGS: 111,
    NETWORK_NUMBER: 425, NETWORK_NUMBER_QUALITY: 426, PROTOCOL_LEVEL: 482,
};

// An OctetString as bacnet-js decodes it (an array of octets) in dots.
const dotted = (v) => (Array.isArray(v) ? v.join('.') : String(v));

function checkIpv4Port(vals, expect, check) {
    const one = (id) => {
        check(Array.isArray(vals[id]) && vals[id].length === 1,
            `property ${id} missing or not one value`);
        const v = vals[id][0].value;
        check(v !== undefined && !(v && v.errorClass !== undefined),
            `property ${id} answered with an error`);
        return v;
    };
    const got = {
        mask: dotted(one(P.MASK)),
        gateway: dotted(one(P.GATEWAY)),
        dns: (vals[P.DNS] || []).map((e) => dotted(e.value)),
        dhcp: one(P.DHCP),
        linkSpeed: one(P.LINK_SPEED),
    };
    check(got.mask === expect.mask,
        `IP_Subnet_Mask ${got.mask}, the system says ${expect.mask}`);
    check(got.gateway === expect.gateway,
        `IP_Default_Gateway ${got.gateway}, the system says ${expect.gateway}`);
    check(Array.isArray(vals[P.DNS]) &&
        JSON.stringify(got.dns) === JSON.stringify(expect.dns),
        `IP_DNS_Server ${JSON.stringify(got.dns)}, resolv.conf says ` +
        JSON.stringify(expect.dns));
    check(got.dhcp === expect.dhcp,
        `IP_DHCP_Enable ${got.dhcp}, the system says ${expect.dhcp}`);
    check(Math.abs(got.linkSpeed - expect.linkSpeed) <=
        expect.linkSpeed * 1e-6,
        `Link_Speed ${got.linkSpeed}, the system says ${expect.linkSpeed}`);
    check(one(P.APDU_LENGTH) === 1476, 'APDU_Length');
    check(one(P.CHANGES_PENDING) === false, 'Changes_Pending');
    check(one(P.OUT_OF_SERVICE) === false, 'Out_Of_Service');
    check(one(P.RELIABILITY) === 0, 'Reliability');
    for (const id of [P.STATUS_FLAGS, P.NETWORK_NUMBER,
        P.NETWORK_NUMBER_QUALITY, P.PROTOCOL_LEVEL])
        one(id);
    // Property_List names exactly what ALL returned, less the four that
    // it leaves out (Object_Identifier, Object_Name, Object_Type, itself).
    const listed = vals[P.PROPERTY_LIST].map((e) => e.value).sort();
    const all = Object.keys(vals).map(Number)
        .filter((id) => ![75, 77, 79, 371].includes(id)).sort();
    check(JSON.stringify(listed) === JSON.stringify(all),
        'Property_List differs from what ReadPropertyMultiple ALL returns');
    return got;
}

module.exports = { checkIpv4Port };
