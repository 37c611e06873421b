#!/usr/bin/env python3
"""Draws Pretzel's app icon (a white pretzel knot on a warm orange rounded square) with ImageMagick
and writes every size Tauri bundles: 32x32.png, 128x128.png, 128x128@2x.png, icon.png (512), icon.ico.

Run from anywhere: `python3 assets/icons/generate.py`. Set CONVERT to pick the ImageMagick binary.
The knot is designed on a 512 grid and rendered at 1024 for clean anti-aliasing; the 32 px sizes use
a thicker rope so the knot stays legible.
"""
import math
import os
import subprocess
import tempfile

CONVERT = os.environ.get("CONVERT", "convert")
HERE = os.path.dirname(os.path.abspath(__file__))
S = 2  # design grid 512 -> render 1024
K = 0.86  # shrink the knot around its centre to leave padding
CX, CY = 256, 282


def bezier(p0, p1, p2, p3, n=60):
    points = []
    for i in range(n + 1):
        t = i / n
        a, b, c, d = (1 - t) ** 3, 3 * (1 - t) ** 2 * t, 3 * (1 - t) * t * t, t ** 3
        points.append((a * p0[0] + b * p1[0] + c * p2[0] + d * p3[0], a * p0[1] + b * p1[1] + c * p2[1] + d * p3[1]))
    return points


def curve(start, segments):
    points, current = [start], start
    for segment in segments:
        points += bezier(current, *segment)[1:]
        current = segment[2]
    return points


# One rope: left end -> crossing -> right lobe -> belly -> left lobe -> crossing -> right end.
ARM_1 = curve((160, 400), [((200, 358), (290, 300), (318, 246))])
LOOP = curve((318, 246), [((338, 206), (282, 178), (282, 142)),
                          ((282, 92), (350, 78), (396, 100)),
                          ((446, 124), (464, 196), (448, 262)),
                          ((430, 344), (352, 440), (256, 440)),
                          ((160, 440), (82, 344), (64, 262)),
                          ((48, 196), (66, 124), (116, 100)),
                          ((162, 78), (230, 92), (230, 142)),
                          ((230, 178), (174, 206), (194, 246))])
ARM_2 = curve((194, 246), [((222, 300), (312, 358), (352, 400))])
# Where arm 2 passes over arm 1: a gap is cut into arm 1 around it.
CROSSING = min(((a, b) for a in ARM_1 for b in ARM_2), key=lambda ab: math.dist(*ab))[1]
OVER_GAP = [p for p in ARM_2 if math.dist(p, CROSSING) <= 44]
OVER_ROPE = [p for p in ARM_2 if math.dist(p, CROSSING) <= 54]


def path(points):
    placed = [((CX + (x - CX) * K) * S, (CY + (y - CY) * K + 6) * S) for x, y in points]
    return "path 'M " + " L ".join(f"{x:.1f} {y:.1f}" for x, y in placed) + "'"


def render(out, rope_width):
    w = rope_width * K * S
    size = "1024x1024"
    subprocess.run([CONVERT,
        "-size", size, "gradient:#F4AE4A-#C45E1C",
        "(", "-size", size, "xc:none", "-fill", "white", "-draw", "roundrectangle 32,32 991,991 220,220", ")",
        "-compose", "DstIn", "-composite",
        "(", "-size", size, "xc:none", "-fill", "none", "-stroke", "white", "-strokewidth", f"{w:.1f}",
             "-draw", "stroke-linecap round stroke-linejoin round " + path(ARM_1 + LOOP[1:] + ARM_2[1:]),
             "(", "-size", size, "xc:none", "-fill", "none", "-stroke", "white",
                  "-strokewidth", f"{w + 22 * K * S:.1f}", "-draw", "stroke-linecap butt " + path(OVER_GAP), ")",
             "-compose", "DstOut", "-composite",
             "-fill", "none", "-stroke", "white", "-strokewidth", f"{w:.1f}",
             "-draw", "stroke-linecap butt " + path(OVER_ROPE),
        ")",
        "-compose", "Over", "-composite", "-resize", "512x512", "PNG32:" + out], check=True)


def main():
    with tempfile.TemporaryDirectory() as tmp:
        big, small = os.path.join(tmp, "big.png"), os.path.join(tmp, "small.png")
        render(big, 46)
        render(small, 60)
        out = lambda name: os.path.join(HERE, name)
        subprocess.run([CONVERT, big, "-strip", "-define", "png:exclude-chunks=date,time", "PNG32:" + out("icon.png")], check=True)
        subprocess.run([CONVERT, big, "-resize", "256x256", "-strip", "-define", "png:exclude-chunks=date,time", "PNG32:" + out("128x128@2x.png")], check=True)
        subprocess.run([CONVERT, big, "-resize", "128x128", "-strip", "-define", "png:exclude-chunks=date,time", "PNG32:" + out("128x128.png")], check=True)
        subprocess.run([CONVERT, small, "-resize", "32x32", "-strip", "-define", "png:exclude-chunks=date,time", "PNG32:" + out("32x32.png")], check=True)
        small_ico, big_ico = os.path.join(tmp, "small.ico"), os.path.join(tmp, "big.ico")
        subprocess.run([CONVERT, small, "-define", "icon:auto-resize=16,24,32,48", small_ico], check=True)
        subprocess.run([CONVERT, big, "-define", "icon:auto-resize=64,128,256", big_ico], check=True)
        subprocess.run([CONVERT, small_ico, big_ico, out("icon.ico")], check=True)


if __name__ == "__main__":
    main()
