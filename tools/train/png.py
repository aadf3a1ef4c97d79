"""png.py - a tiny line-plot rasteriser that writes PNG with zlib, no plotting library needed."""
import struct
import zlib

# 5x7 bitmap glyphs for the few characters the plots use.
GLYPHS = {
    "0": "01110100011001110101110011000101110", "1": "00100011000010000100001000010001110",
    "2": "01110100010000100010001000100011111", "3": "11110000010000101110000010000111110",
    "4": "00010001100101010010111110001000010", "5": "11111100001111000001000011000101110",
    "6": "00110010001000011110100011000101110", "7": "11111000010001000100010000100001000",
    "8": "01110100011000101110100011000101110", "9": "01110100011000101111000010001001100",
    ".": "00000000000000000000000000110001100", " ": "0" * 35,
    "P": "11110100011000111110100001000010000", "R": "11110100011000111110101001001010001",
    "e": "00000000000111010001111111000001110", "c": "00000000000111010000100001000101110",
    "a": "00000000000111000001011111000101111", "l": "01100001000010000100001000010001110",
    "i": "00100000000110000100001000010001110", "s": "00000000000111110000011100000111110",
    "o": "00000000000111010001100011000101110", "n": "00000000001011011001100011000110001",
    "r": "00000000001011011001100001000010000", "t": "01000010001110001000010000100100110",
    "A": "01110100011000111111100011000110001", "U": "10001100011000110001100011000101110",
    "C": "01110100011000010000100001000101110", "=": "00000000001111100000111110000000000",
    "v": "00000000001000110001100010101000100", "p": "00000000001111010001111101000010000",
    "d": "00001000010110110011100011000101111", "h": "10000100001011011001100011000110001",
}


class Canvas:
    def __init__(self, w, h):
        self.w, self.h = w, h
        self.px = bytearray(b"\xff" * (w * h * 3))

    def dot(self, x, y, rgb):
        if 0 <= x < self.w and 0 <= y < self.h:
            i = 3 * (y * self.w + x)
            self.px[i:i + 3] = bytes(rgb)

    def line(self, x0, y0, x1, y1, rgb, width=1):
        n = max(abs(x1 - x0), abs(y1 - y0), 1)
        for k in range(n + 1):
            x = round(x0 + (x1 - x0) * k / n)
            y = round(y0 + (y1 - y0) * k / n)
            for dx in range(width):
                for dy in range(width):
                    self.dot(x + dx, y + dy, rgb)

    def text(self, x, y, s, rgb=(0, 0, 0), scale=2):
        for ch in s:
            g = GLYPHS.get(ch, GLYPHS[" "])
            for r in range(7):
                for c in range(5):
                    if g[r * 5 + c] == "1":
                        for a in range(scale):
                            for b in range(scale):
                                self.dot(x + c * scale + a, y + r * scale + b, rgb)
            x += 6 * scale

    def save(self, path):
        raw = b"".join(b"\x00" + bytes(self.px[3 * y * self.w:3 * (y + 1) * self.w])
                       for y in range(self.h))

        def chunk(kind, data):
            body = kind + data
            return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

        with open(path, "wb") as f:
            f.write(b"\x89PNG\r\n\x1a\n")
            f.write(chunk(b"IHDR", struct.pack(">IIBBBBB", self.w, self.h, 8, 2, 0, 0, 0)))
            f.write(chunk(b"IDAT", zlib.compress(raw, 9)))
            f.write(chunk(b"IEND", b""))


def plot_curve(path, xs, ys, xlabel, ylabel, title, marks=()):
    """xs, ys in [0, 1]; marks: (x, y, label) points to highlight."""
    W, H, L, B, T, Rm = 640, 480, 70, 60, 40, 20
    c = Canvas(W, H)
    pw, ph = W - L - Rm, H - B - T

    def to_px(x, y):
        return L + round(x * pw), T + round((1 - y) * ph)

    for k in range(11):
        gx, gy = to_px(k / 10, 0)
        c.line(gx, T, gx, T + ph, (230, 230, 230))
        hx, hy = to_px(0, k / 10)
        c.line(L, hy, L + pw, hy, (230, 230, 230))
        if k % 2 == 0:
            c.text(gx - 12, T + ph + 8, "%.1f" % (k / 10), scale=1)
            c.text(L - 30, hy - 3, "%.1f" % (k / 10), scale=1)
    c.line(L, T, L, T + ph, (0, 0, 0))
    c.line(L, T + ph, L + pw, T + ph, (0, 0, 0))
    prev = None
    for x, y in zip(xs, ys):
        p = to_px(x, y)
        if prev is not None:
            c.line(prev[0], prev[1], p[0], p[1], (31, 119, 180), 2)
        prev = p
    for x, y, label in marks:
        px, py = to_px(x, y)
        for d in range(-4, 5):
            c.line(px - 4, py + d, px + 4, py + d, (214, 39, 40))
        tx = px + 8 if px + 8 + 6 * len(label) < W else px - 8 - 6 * len(label)
        c.text(tx, py - 7 + (8 if label == marks[-1][2] else -8), label, (214, 39, 40), scale=1)
    c.text(L + pw // 2 - 3 * len(xlabel), H - 22, xlabel)
    c.text(8, 12, ylabel)
    c.text(L + pw // 2 - 6 * len(title), 8, title)
    c.save(path)
