#!/usr/bin/env python3
"""Draw what memsnap captured in a Kilburn console log as SVG pictures.

    scripts/picture.py LOG OUTDIR      write OUTDIR/{space,pagetable,faults}.svg
    scripts/picture.py --check LOG OUTDIR
                                       parse the SVGs back and check that the
                                       numbers in them are those of the log

space.svg     the address space to scale in log2 of the address: one bar per
              region, coloured by kind, its resident share filled in (darker:
              the part shared with other processes); Size, Rss, Pss labels.
pagetable.svg the Sv39 tree: the root, each table below it, and per table the
              leaves as cells coloured by the kind of frame.
faults.svg    the faults in time, one lane per kind (zero-fill, cow-copy...).

Every drawn region, table and fault carries its numbers as data-* attributes,
which --check compares with the log (smaps, pagetable and fault lines).
"""
import math
import re
import sys
import xml.etree.ElementTree as ET
from xml.sax.saxutils import escape

KIND_COLOURS = {
    "text": "#4e79a7", "data": "#f28e2b", "heap": "#e15759", "stack": "#76b7b2",
    "anon": "#59a14f", "file": "#edc948", "vdso": "#b07aa1", "shared": "#ff9da7",
}
FRAME_COLOURS = {"anon": "#59a14f", "file": "#edc948", "shmem": "#ff9da7",
                 "zero": "#bab0ac", "kernel": "#9c755f"}


def sections(log):
    """The memsnap sections of a console log: {name: [lines]} and the header."""
    text = log.replace("\r", "")
    out, name, header = {}, None, ""
    for line in text.split("\n"):
        if line.startswith("=== memsnap "):
            header, name = line[12:], None
            continue
        if line.startswith("=== "):
            name = line[4:].strip()
            out[name] = []
            continue
        if name and name != "end":
            out[name].append(line)
    if "smaps" not in out:
        sys.exit("picture: no memsnap output in the log")
    return out, header


def parse_smaps(lines):
    regions = []
    for line in lines:
        m = re.match(r"^([0-9a-f]+)-([0-9a-f]+) (\S+) \S+ \S+ \S+\s*(.*)$", line)
        if m:
            regions.append({"start": int(m.group(1), 16), "end": int(m.group(2), 16),
                            "perms": m.group(3), "path": m.group(4).strip()})
            continue
        m = re.match(r"^(\w+):\s+(\d+) kB$", line)
        if m and regions:
            regions[-1][m.group(1)] = int(m.group(2))
    return regions


def region_kind(r):
    if "s" in r["perms"][3:]:
        return "shared"
    if r["path"] == "[heap]":
        return "heap"
    if r["path"] == "[stack]":
        return "stack"
    if r["path"] == "[vdso]":
        return "vdso"
    if r["path"]:
        return "text" if "x" in r["perms"] else "data" if "w" in r["perms"] else "file"
    return "anon"


def parse_pagetable(lines):
    entries = []
    for line in lines:
        m = re.match(r"^(\s*)L(\d)\[(\d+)\] 0x([0-9a-f]+)-0x([0-9a-f]+) (.*)$", line)
        if not m:
            continue
        rest = m.group(6)
        e = {"level": int(m.group(2)), "index": int(m.group(3)),
             "start": int(m.group(4), 16), "end": int(m.group(5), 16) + 1,
             "pfn": int(re.search(r"pfn 0x([0-9a-f]+)", rest).group(1), 16)}
        if rest.startswith("table"):
            e["kind"] = "table"
        else:
            e["perms"] = rest[:3]
            e["kind"] = rest.split()[-3]
        entries.append(e)
    return entries


def parse_faults(lines):
    faults = []
    for line in lines:
        f = line.split()
        if len(f) >= 6:
            faults.append({"seq": int(f[0]), "time": float(f[1]), "pid": int(f[2]),
                           "addr": int(f[3], 16), "access": f[4], "kind": f[5]})
    return faults


def svg(width, height, body, title):
    return ('<?xml version="1.0" encoding="UTF-8"?>\n'
            f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
            f'viewBox="0 0 {width} {height}" font-family="monospace" font-size="11">\n'
            f'<title>{escape(title)}</title>\n'
            f'<rect width="{width}" height="{height}" fill="white"/>\n'
            + "".join(body) + "</svg>\n")


def draw_space(regions, header):
    lo, hi = 12.0, 38.0                      # 4 KiB .. 256 GiB, log2
    left, width, row = 60, 900, 34
    x = lambda a: left + (math.log2(max(a, 4096)) - lo) / (hi - lo) * width
    body = [f'<text x="10" y="18" font-size="13">address space of {escape(header)}'
            f' (log2 of the address)</text>\n']
    for b in range(int(lo), int(hi) + 1, 2):
        body.append(f'<line x1="{x(2 ** b):.1f}" y1="28" x2="{x(2 ** b):.1f}" '
                    f'y2="{40 + row * len(regions)}" stroke="#ddd"/>'
                    f'<text x="{x(2 ** b):.1f}" y="26" text-anchor="middle" '
                    f'font-size="9">2^{b}</text>\n')
    for i, r in enumerate(regions):
        y, kind = 36 + i * row, region_kind(r)
        x0, x1 = x(r["start"]), max(x(r["end"]), x(r["start"]) + 2)
        size, rss = r.get("Size", 0), r.get("Rss", 0)
        shared = r.get("Shared_Clean", 0) + r.get("Shared_Dirty", 0)
        fill = rss / size if size else 0
        body.append(
            f'<g class="region" data-start="{r["start"]:#x}" data-end="{r["end"]:#x}" '
            f'data-size="{size}" data-rss="{rss}" data-pss="{r.get("Pss", 0)}" '
            f'data-shared="{shared}" data-kind="{kind}">'
            f'<rect x="{x0:.1f}" y="{y}" width="{x1 - x0:.1f}" height="14" '
            f'fill="{KIND_COLOURS[kind]}" fill-opacity="0.3" stroke="{KIND_COLOURS[kind]}"/>'
            f'<rect x="{x0:.1f}" y="{y}" width="{(x1 - x0) * fill:.1f}" height="14" '
            f'fill="{KIND_COLOURS[kind]}"/>'
            f'<rect x="{x0:.1f}" y="{y + 10}" width="{(x1 - x0) * (shared / size if size else 0):.1f}" '
            f'height="4" fill="black"/>'
            f'<text x="{x1 + 4:.1f}" y="{y + 11}">{r["start"]:#x} {r["perms"]} {kind} '
            f'{escape(r["path"])} Size {size} kB Rss {rss} kB Pss {r.get("Pss", 0)} kB</text>'
            f'</g>\n')
    return svg(left + width + 420, 50 + row * len(regions), body, "address space")


def draw_pagetable(entries, header):
    tables = [e for e in entries if e["kind"] == "table"]
    body = [f'<text x="10" y="18" font-size="13">Sv39 page table of {escape(header)}</text>\n'
            '<rect class="root" x="10" y="30" width="60" height="20" fill="#ccc"/>'
            '<text x="14" y="44">root</text>\n']
    y, cell = 30, 10
    for t in tables:
        leaves = [e for e in entries if e["kind"] != "table" and
                  e["level"] == t["level"] - 1 and t["start"] <= e["start"] < t["end"]]
        x0 = 90 + (2 - t["level"]) * 40
        body.append(f'<g class="table" data-level="{t["level"]}" data-index="{t["index"]}" '
                    f'data-pfn="{t["pfn"]:#x}" data-leaves="{len(leaves)}">'
                    f'<rect x="{x0}" y="{y}" width="30" height="20" fill="#ddd"/>'
                    f'<text x="{x0 + 36}" y="{y + 14}">L{t["level"]}[{t["index"]}] '
                    f'{t["start"]:#x}: table pfn {t["pfn"]:#x}, {len(leaves)} pages</text></g>\n')
        y += 24
        for k, e in enumerate(leaves):
            cx, cy = x0 + 40 + (k % 64) * (cell + 1), y + (k // 64) * (cell + 1)
            body.append(f'<rect class="leaf" x="{cx}" y="{cy}" width="{cell}" height="{cell}" '
                        f'fill="{FRAME_COLOURS.get(e["kind"], "#888")}" '
                        f'data-va="{e["start"]:#x}" data-pfn="{e["pfn"]:#x}" '
                        f'data-kind="{e["kind"]}"><title>{e["start"]:#x} {e.get("perms", "")} '
                        f'{e["kind"]} pfn {e["pfn"]:#x}</title></rect>\n')
        if leaves:
            y += ((len(leaves) + 63) // 64) * (cell + 1) + 8
    legend = " ".join(f'<tspan fill="{c}">&#9632; {k}</tspan>' for k, c in FRAME_COLOURS.items())
    body.append(f'<text x="10" y="{y + 16}">{legend}</text>\n')
    return svg(900, y + 30, body, "page table")


def draw_faults(faults, header):
    kinds = sorted({f["kind"] for f in faults})
    left, width, lane = 120, 800, 22
    t0 = min((f["time"] for f in faults), default=0)
    t1 = max((f["time"] for f in faults), default=1)
    span = (t1 - t0) or 1
    body = [f'<text x="10" y="18" font-size="13">{len(faults)} faults of {escape(header)}, '
            f'{span * 1000:.1f} ms</text>\n']
    for i, k in enumerate(kinds):
        y = 40 + i * lane
        n = sum(1 for f in faults if f["kind"] == k)
        body.append(f'<text x="10" y="{y + 4}">{k} ({n})</text>'
                    f'<line x1="{left}" y1="{y}" x2="{left + width}" y2="{y}" stroke="#eee"/>\n')
    for f in faults:
        y = 40 + kinds.index(f["kind"]) * lane
        cx = left + (f["time"] - t0) / span * width
        body.append(f'<circle class="fault" cx="{cx:.1f}" cy="{y}" r="3" fill="#4e79a7" '
                    f'data-seq="{f["seq"]}" data-kind="{f["kind"]}" data-addr="{f["addr"]:#x}">'
                    f'<title>{f["time"]:.6f} {f["addr"]:#x} {f["access"]} {f["kind"]}</title>'
                    f'</circle>\n')
    return svg(left + width + 20, 60 + lane * len(kinds), body, "faults")


def check(out, regions, entries, faults, stable):
    """Parse the SVGs and compare their numbers with the log's; list of problems."""
    ns = "{http://www.w3.org/2000/svg}"
    bad = []
    space = ET.parse(f"{out}/space.svg").getroot()
    drawn = [g.attrib for g in space.iter(f"{ns}g") if g.get("class") == "region"]
    if len(drawn) != len(regions):
        bad.append(f"space.svg has {len(drawn)} regions, smaps {len(regions)}")
    for g, r in zip(drawn, regions):
        for key, field in (("data-size", "Size"), ("data-rss", "Rss"), ("data-pss", "Pss")):
            if int(g[key]) != r.get(field, 0):
                bad.append(f"region {r['start']:#x}: {field} {g[key]} != {r.get(field)}")
    pt = ET.parse(f"{out}/pagetable.svg").getroot()
    leaves = [e for e in pt.iter(f"{ns}rect") if e.get("class") == "leaf"]
    if len(leaves) != sum(1 for e in entries if e["kind"] != "table"):
        bad.append(f"pagetable.svg has {len(leaves)} pages, the log more or fewer")
    resident = sum(1 for e in entries if e["kind"] not in ("table", "zero"))
    if stable and resident * 4 != sum(r.get("Rss", 0) for r in regions):
        bad.append(f"{resident} resident pages in the page table, smaps Rss "
                   f"{sum(r.get('Rss', 0) for r in regions)} kB (a stable snapshot)")
    fl = ET.parse(f"{out}/faults.svg").getroot()
    dots = [c for c in fl.iter(f"{ns}circle") if c.get("class") == "fault"]
    if len(dots) != len(faults):
        bad.append(f"faults.svg has {len(dots)} faults, the log {len(faults)}")
    return bad


def main():
    args = sys.argv[1:]
    checking = args[:1] == ["--check"]
    if checking:
        args = args[1:]
    if len(args) != 2:
        sys.exit(__doc__)
    with open(args[0], errors="replace") as f:
        sec, header = sections(f.read())
    regions = parse_smaps(sec.get("smaps", []))
    entries = parse_pagetable(sec.get("pagetable", []))
    faults = parse_faults(sec.get("faults", []))
    if checking:
        bad = check(args[1], regions, entries, faults, header.split()[2:3] == ["stable"])
        for b in bad:
            print("picture: " + b)
        print(f"picture: {len(regions)} regions, {len(entries)} page-table entries, "
              f"{len(faults)} faults: {'match' if not bad else 'MISMATCH'}")
        sys.exit(1 if bad else 0)
    for name, text in (("space", draw_space(regions, header)),
                       ("pagetable", draw_pagetable(entries, header)),
                       ("faults", draw_faults(faults, header))):
        with open(f"{args[1]}/{name}.svg", "w") as f:
            f.write(text)
        print(f"picture: wrote {args[1]}/{name}.svg")


if __name__ == "__main__":
    main()
