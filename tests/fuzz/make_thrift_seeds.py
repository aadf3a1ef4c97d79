#!/usr/bin/python3
"""tests/fuzz/make_thrift_seeds.py - write the seed corpus of tests/fuzz/fuzz_thrift.c.

    make_thrift_seeds.py GEN tests/fuzz/corpus/thrift

GEN is the folder `thrift --gen py` wrote for runtime/bidrequest.thrift. Each seed is the
harness's input: a mode byte (bit 0: framed; bits 1..7: the message limit, 64 << (n % 12)
bytes), a piece size, then a connection's bytes. Well-formed calls come from python3-thrift's
encoders (strict, old-style, accelerated; framed and unframed); malformed ones are written
with struct.pack. Run once to (re)make the seeds; the corpus also keeps inputs `make fuzz`
found that add coverage (named by their SHA-1, merged with thrift-fuzz -merge=1).
"""
import os
import struct
import sys

from thrift.protocol import TBinaryProtocol
from thrift.transport import TTransport

sys.path.insert(0, sys.argv[1])
from bidrequest import BidRequestFilter  # noqa: E402
from bidrequest.ttypes import BidRequest  # noqa: E402

OUT = sys.argv[2]
LIMIT_64K = 10  # 64 << 10


def mode(framed, limit=LIMIT_64K):
    return bytes([(1 if framed else 0) | (limit << 1)])


def calls(reqs, framed=False, kind="binary"):
    mem = TTransport.TMemoryBuffer()
    trans = TTransport.TFramedTransport(mem) if framed else TTransport.TBufferedTransport(mem)
    if kind == "old":
        prot = TBinaryProtocol.TBinaryProtocol(trans, strictWrite=False)
    elif kind == "accelerated":
        prot = TBinaryProtocol.TBinaryProtocolAccelerated(trans)
    else:
        prot = TBinaryProtocol.TBinaryProtocol(trans)
    client = BidRequestFilter.Client(prot)
    for r in reqs:
        client.send_filter(r)
    return mem.getvalue()


def write(name, framed, piece, stream, limit=LIMIT_64K):
    with open(os.path.join(OUT, name), "wb") as f:
        f.write(mode(framed, limit) + bytes([piece]) + stream)


FULL = BidRequest(bidId="b-1", dayOfWeek=2, hour="09", regionId="ca", cityId="seattle",
                  domainId="news.example.com", advertiserId="dsp-alpha", biddingPrice=300,
                  payingPrice=250, userAgent="Mozilla/5.0 (iPhone; CPU iPhone OS 17_4)",
                  deviceTypeId=0)
UA_ONLY = BidRequest(hour="23", userAgent="Roku/DVP-9.10", domainId="NEWS.Example.com")
EMPTY = BidRequest()


def header(mtype, name, seqid):
    n = name.encode()
    return struct.pack(">iI", -0x7fff0000 | mtype, len(n)) + n + struct.pack(">i", seqid)


def field(ftype, fid):
    return struct.pack(">bh", ftype, fid)


def main():
    os.makedirs(OUT, exist_ok=True)
    write("unframed_one", 0, 0, calls([FULL]))
    write("unframed_three_pieces7", 0, 7, calls([FULL, UA_ONLY, EMPTY]))
    write("unframed_bytewise", 0, 1, calls([UA_ONLY, FULL]))
    write("unframed_old_headers", 0, 5, calls([FULL, EMPTY], kind="old"))
    write("unframed_accelerated", 0, 0, calls([UA_ONLY], kind="accelerated"))
    write("framed_two", 1, 0, calls([FULL, UA_ONLY], framed=True))
    write("framed_pieces3", 1, 3, calls([FULL, EMPTY], framed=True))
    write("over_limit_64", 0, 0, calls([FULL]), limit=0)
    write("framed_over_limit_64", 1, 0, calls([FULL], framed=True), limit=0)
    args_open = header(1, "filter", 1) + field(12, 1)
    write("unknown_method", 0, 0, header(1, "filterx", 4) + b"\x00" + calls([EMPTY]))
    write("reply_type", 0, 0, header(2, "filter", 4) + b"\x00" + calls([EMPTY]))
    write("oneway_type", 0, 0, header(4, "filter", 4) + b"\x00" + calls([EMPTY]))
    write("unknown_fields", 0, 2, header(1, "filter", 9) + field(13, 7) + b"\x0b\x0f" +
          struct.pack(">i", 1) + struct.pack(">i", 1) + b"k" + b"\x0c" + struct.pack(">i", 1) +
          field(4, 1) + struct.pack(">d", 1.5) + b"\x00" + field(12, 1) + field(8, 3) +
          struct.pack(">i", 9) + field(11, 4) + struct.pack(">i", 2) + b"ca" + b"\x00\x00")
    write("bad_field_type", 0, 0, args_open + field(19, 3) + b"\x00" * 4)
    write("huge_string", 0, 0, args_open + field(11, 10) + struct.pack(">i", 0x7ffffff0) + b"M")
    write("negative_list", 0, 0, args_open + field(15, 5) + b"\x03" + struct.pack(">i", -1))
    write("huge_map", 0, 0, args_open + field(13, 5) + b"\x08\x0b" + struct.pack(">i", 2 ** 31 - 1))
    write("deep_structs", 0, 0, args_open + field(12, 9) * 40)
    write("deep_lists", 0, 0, args_open + field(15, 9) + (b"\x0f" + struct.pack(">i", 1)) * 40)
    write("bad_version", 0, 0, struct.pack(">I", 0x80020001) + b"\x00" * 12)
    write("http_request", 0, 0, b"GET /healthz HTTP/1.1\r\nHost: t\r\n\r\n")
    write("frame_zero", 1, 0, b"\x00\x00\x00\x00")
    good = calls([EMPTY])
    write("frame_extra", 1, 0, struct.pack(">i", len(good) + 3) + good + b"xyz")
    write("frame_short", 1, 0, struct.pack(">i", len(good) - 2) + good[:-2])
    write("truncated", 0, 0, calls([FULL])[:40])


main()
