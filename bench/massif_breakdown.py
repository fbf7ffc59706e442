#!/usr/bin/env python3
"""Per-connection breakdown of a massif snapshot of bacsc-hub.

    massif_breakdown.py SNAPSHOT CONNECTIONS [--other]

SNAPSHOT is a massif file (ideally one `vgdb --pid=P detailed_snapshot F`
taken while sc_scale_bench holds its connections: BENCH_SCALE_HOLD); the
last detailed snapshot in it is used.  Every heap leaf is put in the first
category whose function name appears in its call stack, searched from the
allocation outwards (Debian ships libssl without symbols, so frames inside
it are "???" and the nearest named caller decides).  Bytes are divided by
CONNECTIONS.  --other lists the stacks left in "OpenSSL: other".
See bench/README.md, "Memory per connection".
"""
import collections
import re
import sys

# (category, name prefixes; a name ending in '@' is one of ours, with
# source line information)
RULES = [
    ('ours: struct sc_ws', ['ws_new@']),
    ('ours: hub connection (sc_hconn, table entry, source slot)',
     ['hub_on_accept@', 'hc_admit@', 'sc_hubtab', 'sc_srclim',
      'sc_pconn_init@']),
    ('ours: close reason, HTTP', ['ws_set_reason@', 'ws_http']),
    ('libevent: bufferevent_openssl, evbuffers, events, socket BIO',
     ['bufferevent_', 'evbuffer_', 'event_new', 'BIO_new_socket',
      'ws_attach@']),
    ('OpenSSL: SSL object (ssl_st, CERT copy, verify param, lock)',
     ['SSL_new']),
    ('OpenSSL: session (SSL_SESSION_new)', ['SSL_SESSION_new']),
    # EVP_PKEY_generate makes both the parameters of the peer's share
    # (paramgen) and our key (keygen)
    ('OpenSSL: ECDHE key shares, ours and the peer\'s (P-256)',
     ['EVP_PKEY_generate', 'EVP_PKEY_set_octet_string_param',
      'EVP_PKEY_fromdata', 'EVP_PKEY_paramgen', 'EVP_PKEY_copy_parameters']),
    ('OpenSSL: peer certificate (X509, public key, names, extensions)',
     ['d2i_EC_PUBKEY', 'X509_new_ex', 'X509_verify_cert', 'X509V3_EXT_d2i',
      'X509_PUBKEY', 'ASN1_item_d2i_ex', 'X509_chain_up_ref']),
    ('OpenSSL: record ciphers (AES-GCM contexts)',
     ['EVP_CipherInit_ex', 'EVP_CIPHER_CTX']),
    ('OpenSSL: transcript hash', ['EVP_MD_CTX', 'EVP_DigestInit']),
]
OTHER = 'OpenSSL: other (libssl internals, unnamed)'
STARTUP = 'start-up (not per connection)'
NODE = re.compile(r'^( *)n(\d+): (\d+) (.*)$')
FRAME = re.compile(r'0x[0-9A-Fa-f]+: (\S+)(?: \((.*)\))?')


def frame_name(text):
    m = FRAME.match(text)
    if m is None:
        return text[:40]
    name = m.group(1)
    if m.group(2) and not m.group(2).startswith('in '):
        name += '@'
    return name


def categorize(stack):
    for fr in stack:
        for cat, prefixes in RULES:
            if any(fr.startswith(p) for p in prefixes):
                return cat
    if any(fr.startswith('event_base_loop') for fr in stack):
        return OTHER
    return STARTUP


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    lines = open(sys.argv[1]).read().split('\n')
    nconn = float(sys.argv[2])
    starts = [i for i, l in enumerate(lines)
              if l.startswith('heap_tree=detailed')]
    if not starts:
        sys.exit('no detailed snapshot in ' + sys.argv[1])
    start = starts[-1]
    heap = extra = 0
    for l in lines[:start]:
        if l.startswith('mem_heap_B='):
            heap = int(l.split('=')[1])
        elif l.startswith('mem_heap_extra_B='):
            extra = int(l.split('=')[1])
    cats = collections.Counter()
    other = collections.Counter()
    stack = []
    for l in lines[start + 1:]:
        m = NODE.match(l)
        if m is None:
            break
        depth, nchild, size = len(m.group(1)), int(m.group(2)), int(m.group(3))
        stack = stack[:depth] + [frame_name(m.group(4))]
        if nchild:
            continue
        # stack[0] is massif's root; stack[1] the allocation function
        cat = categorize(stack[1:])
        cats[cat] += size
        if cat == OTHER:
            named = [s for s in stack[1:] if s != '???']
            other[' < '.join(named[:6])] += size
    print('heap %.0f octets per connection (%d connections), malloc '
          'headers and padding (massif estimate) %.0f more'
          % (heap / nconn, nconn, extra / nconn))
    for cat, size in cats.most_common():
        print('%7.0f  %s' % (size / nconn, cat))
    if '--other' in sys.argv:
        print('-- %s:' % OTHER)
        for k, size in other.most_common(15):
            print('%7.0f  %s' % (size / nconn, k))


if __name__ == '__main__':
    main()
