#!/usr/bin/env python3
"""extract.py - turn one generate.sh run (two charon key logs and a pcap) into
a vector file for ike/ike_crypto_test.c.

Usage: extract.py RUNDIR CASE PSK > CASE.txt

Every expected value is copied from what charon printed (filelog, ike/enc/chd
level 4) or from the captured packets; nothing is computed here.  Where both
daemons print the same value, the two copies must agree or the script fails.
Output: one "name hex-or-number" per line, '#' starts a comment.
"""
import re
import struct
import sys

DUMP_HEAD = re.compile(r'^(\d+)\[(\w+)\] (.+?) => (\d+) bytes @ 0x[0-9a-f]+$')
DECRYPTING = re.compile(r'^(\d+)\[ENC\] decrypting payloads:$')
DUMP_LINE = re.compile(r'^(\d+)\[(\w+)\]\s+(\d+): ((?:[0-9A-F]{2} ?){1,16})')


def read_dumps(path):
    """All hex dumps of a charon log, in order: list of (label, bytes)."""
    dumps = []
    open_dumps = {}  # thread -> [label, total, bytearray]
    decrypting = set()  # threads that printed "decrypting payloads:"
    with open(path, encoding='utf-8', errors='replace') as f:
        for line in f:
            line = line.rstrip('\n')
            m = DECRYPTING.match(line)
            if m:
                decrypting.add(m.group(1))
                continue
            m = DUMP_HEAD.match(line)
            if m:
                thread, label, total = m.group(1), m.group(3), int(m.group(4))
                if label == 'plain' and thread in decrypting:
                    label = 'decrypted plain'
                    decrypting.discard(thread)
                entry = [label, total, bytearray()]
                if total == 0:
                    dumps.append((label, b''))
                else:
                    open_dumps[thread] = entry
                    dumps.append(entry)
                continue
            m = DUMP_LINE.match(line)
            if m and m.group(1) in open_dumps:
                entry = open_dumps[m.group(1)]
                off = int(m.group(3))
                if off != len(entry[2]):
                    continue
                want = min(16, entry[1] - off)
                hexes = m.group(4).split()
                entry[2] += bytes(int(h, 16) for h in hexes[:want])
                if len(entry[2]) >= entry[1]:
                    del open_dumps[m.group(1)]
    out = []
    for d in dumps:
        if isinstance(d, tuple):
            out.append(d)
        else:
            if len(d[2]) != d[1]:
                raise SystemExit('%s: truncated dump %r' % (path, d[0]))
            out.append((d[0], bytes(d[2])))
    return out


def read_pcap(path):
    """ISAKMP messages (bytes, src ip, src port) in capture order."""
    data = open(path, 'rb').read()
    magic = struct.unpack('<I', data[:4])[0]
    if magic != 0xa1b2c3d4:
        raise SystemExit('%s: not a little-endian microsecond pcap' % path)
    linktype = struct.unpack('<I', data[20:24])[0]
    if linktype != 1:
        raise SystemExit('%s: link type %d, want Ethernet' % (path, linktype))
    off = 24
    msgs = []
    while off + 16 <= len(data):
        incl = struct.unpack('<I', data[off + 8:off + 12])[0]
        frame = data[off + 16:off + 16 + incl]
        off += 16 + incl
        if struct.unpack('!H', frame[12:14])[0] != 0x0800:
            continue
        ip = frame[14:]
        ihl = (ip[0] & 15) * 4
        if ip[9] != 17:
            continue
        src = ip[12:16]
        udp = ip[ihl:]
        sport, dport, ulen = struct.unpack('!HHH', udp[:6])
        payload = udp[8:ulen]
        if sport == 4500 or dport == 4500:
            if len(payload) < 4 or payload[:4] != b'\0\0\0\0':
                continue  # ESP in UDP or a NAT keepalive
            payload = payload[4:]
        msgs.append((payload, src, sport))
    return msgs


def payloads(msg, body=None):
    """(type, body) of each payload of a cleartext message or a decrypted body."""
    if body is None:
        np = msg[16]
        data = msg[28:]
    else:
        np = msg[16]
        data = body
    out = []
    off = 0
    while np != 0 and off + 4 <= len(data):
        nxt, _, plen = struct.unpack('!BBH', data[off:off + 4])
        out.append((np, data[off + 4:off + plen]))
        np = nxt
        off += plen
    return out


def one(dumps, label, index=0):
    found = [b for (l, b) in dumps if l == label]
    if len(found) <= index:
        raise SystemExit('label %r #%d not found' % (label, index))
    return found[index]


def all_of(dumps, label):
    return [b for (l, b) in dumps if l == label]


def same(a, b, what):
    if a != b:
        raise SystemExit('initiator and responder disagree on %s' % what)
    return a


def main():
    rundir, case, psk = sys.argv[1], sys.argv[2], sys.argv[3]
    ini = read_dumps(rundir + '/ini.log')
    resp = read_dumps(rundir + '/resp.log')
    msgs = read_pcap(rundir + '/ike.pcap')

    mm = [m for m in msgs if m[0][18] == 2]            # ID_PROT
    qm = [m for m in msgs if m[0][18] == 32]           # QUICK_MODE
    info = [m for m in msgs if m[0][18] == 5]          # INFORMATIONAL
    if len(mm) != 6 or len(qm) != 3:
        raise SystemExit('want 6 MM and 3 QM messages, got %d and %d' % (len(mm), len(qm)))
    mm1, mm2, mm3, mm4, mm5, mm6 = (m[0] for m in mm)
    cky_i, cky_r = mm3[0:8], mm3[8:16]
    p1 = dict(payloads(mm1))
    p3 = payloads(mm3)
    p4 = payloads(mm4)
    sa_b = p1[1]
    # The chosen transform, from the responder's SA in MM2 (one proposal, one transform).
    sa2 = dict(payloads(mm2))[1]
    prop = sa2[8:]
    transform = prop[8 + prop[6]:]
    attrs = transform[8:struct.unpack('!H', transform[2:4])[0]]
    chosen = {}
    a = 0
    while a + 4 <= len(attrs):
        t, v = struct.unpack('!HH', attrs[a:a + 4])
        if t & 0x8000:
            chosen[t & 0x7fff] = v
            a += 4
        else:
            a += 4 + v
    g_xi = dict(p3)[4]
    ni = dict(p3)[10]
    g_xr = dict(p4)[4]
    nr = dict(p4)[10]
    natd_in_packets = [b for (t, b) in p3 + p4 if t == 20]

    w = []
    def put(name, value):
        if isinstance(value, (bytes, bytearray)):
            w.append('%s %s' % (name, value.hex()))
        else:
            w.append('%s %s' % (name, value))

    put('# case', case)
    put('cipher', chosen[1])
    put('key_bits', chosen.get(14, 192 if chosen[1] == 5 else 0))
    put('hash', chosen[2])
    put('group', chosen[4])
    put('psk', psk.encode())
    put('cky_i', cky_i)
    put('cky_r', cky_r)
    put('sai_b', sa_b)
    put('ni_b', ni)
    put('nr_b', nr)
    put('g_xi', g_xi)
    put('g_xr', g_xr)
    put('g_xy', same(one(ini, 'shared Diffie Hellman secret'),
                     one(resp, 'shared Diffie Hellman secret'), 'g^xy'))
    for label, name in (('SKEYID', 'skeyid'), ('SKEYID_d', 'skeyid_d'),
                        ('SKEYID_a', 'skeyid_a'), ('SKEYID_e', 'skeyid_e'),
                        ('encryption key Ka', 'enc_key'), ('initial IV', 'iv_phase1')):
        put(name, same(one(ini, label), one(resp, label), label))
    put('hash_i', same(one(ini, 'HASH_I'), one(resp, 'HASH_I'), 'HASH_I'))
    put('hash_r', same(one(ini, 'HASH_R'), one(resp, 'HASH_R'), 'HASH_R'))
    # The decrypted bodies as charon printed them (the receiver's view, padding included).
    resp_plain = all_of(resp, 'decrypted plain')
    ini_plain = all_of(ini, 'decrypted plain')
    put('mm5', mm5)
    put('mm6', mm6)
    # NAT-D: each hash charon computed for real, with its input, if it is in a packet.
    n = 0
    for chunk, digest in zip(all_of(ini, 'natd_chunk') + all_of(resp, 'natd_chunk'),
                             all_of(ini, 'natd_hash') + all_of(resp, 'natd_hash')):
        if digest in natd_in_packets and n < 2:
            put('natd_input_%d' % n, chunk)
            put('natd_hash_%d' % n, digest)
            n += 1
    # Quick Mode.
    mid = struct.unpack('!I', qm[0][0][20:24])[0]
    put('qm_mid', mid)
    ivs = all_of(ini, 'next IV for MID %d' % mid)
    put('iv_qm', same(ivs[0], all_of(resp, 'next IV for MID %d' % mid)[0], 'QM IV'))
    put('qm1', qm[0][0])
    put('qm2', qm[1][0])
    put('qm3', qm[2][0])
    put('hash1', same(one(ini, 'Hash(1)'), one(resp, 'Hash(1)'), 'Hash(1)'))
    put('hash2', same(one(ini, 'Hash(2)'), one(resp, 'Hash(2)'), 'Hash(2)'))
    put('hash3', same(one(ini, 'Hash(3)'), one(resp, 'Hash(3)'), 'Hash(3)'))
    pfs = all_of(ini, 'DH secret')
    if pfs:
        put('g_qm_xy', same(pfs[0], one(resp, 'DH secret'), 'QM DH secret'))
    seed_i = same(one(ini, 'initiator SA seed'), one(resp, 'initiator SA seed'), 'seed')
    seed_r = same(one(ini, 'responder SA seed'), one(resp, 'responder SA seed'), 'seed')
    skip = len(pfs[0]) if pfs else 0
    put('esp_protocol', seed_i[skip])
    # charon: the "initiator" keys protect initiator -> responder, i.e. the SA with
    # the responder's SPI; the "responder" keys the SA with the initiator's SPI.
    put('spi_r', seed_i[skip + 1:skip + 5])
    put('spi_i', seed_r[skip + 1:skip + 5])
    put('keymat_spi_r_enc', same(one(ini, 'encryption initiator key'),
                                 one(resp, 'encryption initiator key'), 'enc key'))
    put('keymat_spi_r_auth', same(one(ini, 'integrity initiator key'),
                                  one(resp, 'integrity initiator key'), 'auth key'))
    put('keymat_spi_i_enc', same(one(ini, 'encryption responder key'),
                                 one(resp, 'encryption responder key'), 'enc key'))
    put('keymat_spi_i_auth', same(one(ini, 'integrity responder key'),
                                  one(resp, 'integrity responder key'), 'auth key'))
    # Informational exchanges (the Deletes sent by "ipsec down"), each with its own IV chain.
    hashes = all_of(ini, 'Hash')
    for k, m in enumerate(info[:2]):
        imid = struct.unpack('!I', m[0][20:24])[0]
        put('info%d_mid' % k, imid)
        put('info%d_iv' % k, one(ini, 'next IV for MID %d' % imid))
        put('info%d' % k, m[0])
        put('info%d_hash' % k, hashes[k])
    # What charon decrypted, for a byte-exact check of our CBC: MM5 at the responder,
    # MM6 at the initiator.
    put('mm5_plain', resp_plain[0])
    put('mm6_plain', ini_plain[0])
    print('\n'.join(w))


main()
