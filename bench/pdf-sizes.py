#!/usr/bin/python3
# pdf-sizes.py - issue 12 acceptance 2: sheets.pdf against the source JPEGs
# it holds, per student.  Not a test and not run by CI (bench.sh runs it).
# Needs python3-pikepdf (a dependency of img2pdf, which bench.sh installs).
#
#   bench/pdf-sizes.py ROSTER.csv PHOTOS_DIR PDF [PDF...] [--manifest manifest.csv]
#
# The sheets are the PDFs' pages in order (a photosheet manifest says which
# page is which student's sheet and skips the separators; without one every
# page is a sheet, in roster order).  A student's bytes: the raw streams that
# page brings first - its content stream(s) and the image XObjects it draws
# (inside forms too) that no earlier page drew; shared fonts and the like
# count only in the total.  Prints one line:
#   total PDF bytes, source JPEG bytes of the students, total ratio,
#   per-student ratio mean / max (and which page), sheets counted.
import csv
import os
import sys

import pikepdf


def stream_len(obj):
    try:
        return len(obj.read_raw_bytes())
    except Exception:
        return 0


def page_bytes(doc, page, seen):
    total = 0
    contents = page.obj.get('/Contents')
    if contents is not None:
        items = contents if isinstance(contents, pikepdf.Array) else [contents]
        for c in items:
            total += stream_len(c)

    def walk(res):
        nonlocal total
        if res is None or '/XObject' not in res:
            return
        for _, xo in res['/XObject'].items():
            key = (doc, xo.objgen)
            if key in seen:
                continue
            seen.add(key)
            total += stream_len(xo)
            if xo.get('/Subtype') == '/Form':
                walk(xo.get('/Resources'))
    walk(page.obj.get('/Resources'))
    return total


def main(argv):
    manifest = None
    if '--manifest' in argv:
        i = argv.index('--manifest')
        manifest = argv[i + 1]
        del argv[i:i + 2]
    roster, photos, pdfs = argv[0], argv[1], argv[2:]
    with open(roster, encoding='utf-8-sig', newline='') as f:
        rows = list(csv.reader(f))[1:]
    photo_of = {r[4]: r[-1] for r in rows if len(r) >= 11}      # 学号 -> photo file
    order = [r[4] for r in rows if len(r) >= 11]
    pages = []                                                   # (pdf page, xh or None)
    docs = [pikepdf.open(p) for p in pdfs]
    all_pages = [(k, pg) for k, d in enumerate(docs) for pg in d.pages]
    if manifest:
        with open(manifest, encoding='utf-8', newline='') as f:
            for m in csv.DictReader(f):
                pages.append((int(m['page']) - 1, m['xh'] if m['kind'] == 'sheet' else None))
    else:
        pages = [(i, order[i] if i < len(order) else None) for i in range(len(all_pages))]
    total_pdf = sum(os.path.getsize(p) for p in pdfs)
    seen, ratios, jpeg_total = set(), [], 0
    for index, xh in pages:
        b = page_bytes(*all_pages[index], seen)
        if xh is None:
            continue
        j = os.path.getsize(os.path.join(photos, photo_of[xh]))
        jpeg_total += j
        ratios.append((b / j, index + 1))
    if not ratios:
        print('pdf-sizes: no sheets')
        return 1
    mean = sum(r for r, _ in ratios) / len(ratios)
    worst = max(ratios)
    print('pdf %d bytes, source JPEGs %d bytes, total %.2fx, per student mean %.2fx max %.2fx '
          '(page %d), %d sheets' % (total_pdf, jpeg_total, total_pdf / jpeg_total, mean,
                                     worst[0], worst[1], len(ratios)))
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
