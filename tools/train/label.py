#!/usr/bin/python3
"""label.py - the hidden "ground truth": which bidders bid on which impressions.

Reads OpenRTB BidRequests (JSONL, one per line, as `bidload --dump` writes them) and writes one
label (0 or 1) per impression x bidder, in the order `bidgate extract` writes feature rows:
requests in file order, impressions in array order, then the candidate bidders: the request's
ext.bidders when it has them (as bidgate does), else --bidders.

With --stamp FILE, each request first gets a time, ext.ts (epoch seconds, drawn uniformly from
--start over --span seconds), and is written to FILE: the logged traffic a model is trained on
carries the time it was seen, and the feature spec reads hour and day from it.

Each bidder has fixed, documented tastes (see models/rtb-demo/README.md): preferred countries
and device types, ad sizes, an affinity to some domains/apps, busy hours in the user's local
time, a sensitivity to the floor price; plus noise. P(bid) = sigmoid(sum of those terms); the
label is drawn from it with a seeded generator, so the same input and seed give the same labels.
The model never sees this file: it has to learn the tastes from the labelled traffic.

Usage: label.py --bidders a,b,c [--seed N] [--stamp OUT.jsonl --start EPOCH --span SECONDS]
                < requests.jsonl > labels.txt
"""
import argparse
import hashlib
import json
import math
import random
import sys
import time


def unit(*parts):
    """A deterministic number in [0, 1) from strings (the bidder's hidden taste for a value)."""
    h = hashlib.sha256("|".join(str(p) for p in parts).encode()).digest()
    return int.from_bytes(h[:8], "big") / 2.0**64


class Bidder:
    """One demand partner's tastes, all derived from its name."""

    COUNTRIES = ["USA", "GBR", "DEU", "FRA", "JPN", "IND", "BRA", "CAN", "AUS", "MEX", "ESP",
                 "ITA", "NLD", "KOR", "IDN"]

    def __init__(self, name):
        self.name = name
        self.base = -3.2 + 1.0 * unit(name, "base")
        # two favourite countries, a strong dislike of one
        ranked = sorted(self.COUNTRIES, key=lambda c: unit(name, "country", c))
        self.country = {ranked[0]: 2.2, ranked[1]: 1.4, ranked[-1]: -2.5, ranked[-2]: -2.0}
        # device types 1..7 (OpenRTB); phones vs desktops vs CTV differ per bidder
        self.device = {d: 3.0 * unit(name, "device", d) - 1.5 for d in range(1, 8)}
        self.sizes = {(300, 250): 0.8 * unit(name, "size", 1), (728, 90): 0.8 * unit(name, "size", 2),
                      (320, 50): 0.8 * unit(name, "size", 3) - 0.4, (160, 600): -0.3,
                      (300, 600): 0.5 * unit(name, "size", 4)}
        self.video = 1.5 * unit(name, "video") - 0.5
        self.peak_hour = int(24 * unit(name, "hour"))
        self.floor_slope = -0.6 - 1.2 * unit(name, "floor")

    def logit(self, req, imp, hour):
        device = req.get("device") or {}
        geo = device.get("geo") or {}
        s = self.base
        s += self.country.get(geo.get("country"), 0.0)
        dt = device.get("devicetype")
        if isinstance(dt, int):
            s += self.device.get(dt, 0.0)
        banner = imp.get("banner")
        if isinstance(banner, dict):
            w, h = banner.get("w"), banner.get("h")
            if (w is None or h is None) and banner.get("format"):
                w, h = banner["format"][0].get("w"), banner["format"][0].get("h")
            s += self.sizes.get((w, h), -0.2)
        if isinstance(imp.get("video"), dict):
            s += self.video
        site = (req.get("site") or {}).get("domain") or (req.get("app") or {}).get("bundle") or ""
        affinity = unit(self.name, "domain", site)
        s += 2.5 if affinity > 0.85 else (-2.0 if affinity < 0.4 else 0.0)
        if hour is not None:
            d = min(abs(hour - self.peak_hour), 24 - abs(hour - self.peak_hour))
            s += 0.9 * math.cos(math.pi * d / 12.0)
        floor = imp.get("bidfloor")
        if isinstance(floor, (int, float)) and floor > 0:
            s += self.floor_slope * math.log1p(floor)
        return s


def local_hour(req, now):
    """The user's local hour: the request time (ext.ts, ms or s) or now, shifted by utcoffset."""
    ts = (req.get("ext") or {}).get("ts", now)
    if not isinstance(ts, (int, float)):
        return None
    if ts > 1e11:
        ts = ts / 1000.0
    offset = ((req.get("device") or {}).get("geo") or {}).get("utcoffset", 0)
    if not isinstance(offset, (int, float)):
        offset = 0
    return int(((ts + 60.0 * offset) // 3600) % 24)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--bidders", required=True)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--now", type=float, default=None)
    ap.add_argument("--noise", type=float, default=0.3, help="sd of per-row logit noise")
    ap.add_argument("--stamp", help="write the requests, each with an ext.ts, to this file")
    ap.add_argument("--start", type=int, default=1700000000)
    ap.add_argument("--span", type=int, default=7 * 86400)
    args = ap.parse_args()
    defaults = [b for b in args.bidders.split(",") if b]
    known = {}
    now = args.now if args.now is not None else time.time()
    rng = random.Random(args.seed)
    stamp_rng = random.Random(args.seed + 1)
    stamped = open(args.stamp, "w") if args.stamp else None
    out = sys.stdout
    for lineno, line in enumerate(sys.stdin, 1):
        if not line.strip():
            continue
        try:
            req = json.loads(line)
        except ValueError as e:
            sys.exit("label.py: stdin:%d: %s" % (lineno, e))
        if stamped is not None:
            ext = req.setdefault("ext", {})
            ext["ts"] = args.start + stamp_rng.randrange(args.span)
            stamped.write(json.dumps(req, separators=(",", ":")) + "\n")
        hour = local_hour(req, now)
        names = (req.get("ext") or {}).get("bidders")
        if names is None:
            names = defaults
        for imp in req.get("imp") or []:
            for name in names:
                b = known.setdefault(name, Bidder(name))
                z = b.logit(req, imp, hour) + rng.gauss(0.0, args.noise)
                p = 1.0 / (1.0 + math.exp(-z))
                out.write("1\n" if rng.random() < p else "0\n")
    if stamped is not None:
        stamped.close()


if __name__ == "__main__":
    main()
