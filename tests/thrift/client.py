#!/usr/bin/python3
"""tests/thrift/client.py - the Thrift client side of bidgate's tests, written with Debian's
python3-thrift and the code Debian's thrift compiler generates from runtime/bidrequest.thrift
(neither is bidgate's own code).

    client.py GEN call PORT TRANSPORT PROTOCOL < calls.jsonl   one line per answer
    client.py GEN encode TRANSPORT PROTOCOL OUT < calls.jsonl  OUT: the bytes the client sends
    client.py GEN decode TRANSPORT IN                          one line per answer in file IN
    client.py GEN spec                                          the IDL as the compiler read it

GEN is the folder `thrift --gen py -out GEN runtime/bidrequest.thrift` wrote. TRANSPORT is
framed or unframed (buffered); PROTOCOL is binary (strict headers), old (old-style headers:
strictWrite=False) or accelerated (the C extension, fastbinary). calls.jsonl holds one
BidRequest per line as a JSON object of the fields to set (the others stay unset).

`call` makes every call on one connection, in order, and prints for each
`reply HEX` (likelihoodToBid as float.hex, exact) or `exception TYPE MESSAGE`.
`decode` prints `reply HEX NAME SEQID` or `exception TYPE NAME SEQID MESSAGE` for each
answer in IN, then `eof` when they end cleanly.
"""
import json
import sys

from thrift.protocol import TBinaryProtocol
from thrift.Thrift import TApplicationException, TMessageType, TType
from thrift.transport import TSocket, TTransport


def load(gen):
    sys.path.insert(0, gen)
    from bidrequest import BidRequestFilter, ttypes  # noqa: E402  (generated at test time)
    return BidRequestFilter, ttypes


def protocol(trans, kind):
    if kind == "binary":
        return TBinaryProtocol.TBinaryProtocol(trans)
    if kind == "old":
        return TBinaryProtocol.TBinaryProtocol(trans, strictRead=False, strictWrite=False)
    if kind == "accelerated":
        return TBinaryProtocol.TBinaryProtocolAccelerated(trans)
    raise SystemExit("unknown protocol " + kind)


def wrap(trans, transport):
    if transport == "framed":
        return TTransport.TFramedTransport(trans)
    if transport == "unframed":
        return TTransport.TBufferedTransport(trans)
    raise SystemExit("unknown transport " + transport)


def requests(ttypes):
    for line in sys.stdin:
        if line.strip():
            yield ttypes.BidRequest(**json.loads(line))


def main():
    gen, cmd, args = sys.argv[1], sys.argv[2], sys.argv[3:]
    BidRequestFilter, ttypes = load(gen)
    if cmd == "spec":
        names = {v: k for k, v in vars(TType).items() if k.isupper()}
        names[TType.STRING] = "STRING"  # UTF7 shares its id
        specs = [("field", ttypes.BidRequest), ("args", BidRequestFilter.filter_args),
                 ("result", BidRequestFilter.filter_result), ("response", ttypes.BidResponse)]
        for what, struct in specs:
            for f in struct.thrift_spec:
                if f is not None:
                    print(what, f[0], names[f[1]], f[2])
        methods = [m for m in vars(BidRequestFilter.Iface) if not m.startswith("_")]
        print("service", BidRequestFilter.__name__.split(".")[-1], " ".join(methods))
        return
    if cmd == "call":
        port, transport, kind = int(args[0]), args[1], args[2]
        trans = wrap(TSocket.TSocket("127.0.0.1", port), transport)
        client = BidRequestFilter.Client(protocol(trans, kind))
        trans.open()
        out = []
        for req in requests(ttypes):
            try:
                out.append("reply " + client.filter(req).likelihoodToBid.hex())
            except TApplicationException as x:
                out.append("exception %d %s" % (x.type, x.message))
        trans.close()
        print("\n".join(out))
        return
    if cmd == "encode":
        transport, kind = args[0], args[1]
        mem = TTransport.TMemoryBuffer()
        trans = wrap(mem, transport)
        client = BidRequestFilter.Client(protocol(trans, kind))
        for req in requests(ttypes):
            client.send_filter(req)
        with open(args[2], "wb") as f:
            f.write(mem.getvalue())
        return
    if cmd == "decode":
        with open(args[1], "rb") as f:
            data = f.read()
        mem = TTransport.TMemoryBuffer(data)
        trans = wrap(mem, args[0])
        prot = protocol(trans, "binary")
        while True:
            try:
                (name, mtype, seqid) = prot.readMessageBegin()
            except EOFError:  # what a memory buffer raises at its end
                break
            if mtype == TMessageType.EXCEPTION:
                x = TApplicationException()
                x.read(prot)
                print("exception %d %s %d %s" % (x.type, name, seqid, x.message))
            else:
                result = BidRequestFilter.filter_result()
                result.read(prot)
                print("reply %s %s %d" % (result.success.likelihoodToBid.hex(), name, seqid))
            prot.readMessageEnd()
        print("eof")
        return
    raise SystemExit("unknown command " + cmd)


if __name__ == "__main__":
    main()
