#!/usr/bin/python3
"""What an entropy-coded image codec needs on the material corpus: a second baseline beside BC.

JPEG (4:4:4) and WebP (lossy, method 6) from Pillow, every quality from 30 to 98, each texture on the
channels wgml stores and scores (colour RGB(A) as one image, normal x and y and a scalar's grey each
as a grey image), with wgml's PSNR (mean squared error over those channels, 8-bit values in [0, 1]).
Per set: the fewest bits per texel (all textures together, each at its own cheapest codec and
quality) whose *every* texture reaches 35, 38 and 40 dB, and the best weakest-texture PSNR within a
third of the BC footprint (the budget of `wgml compress`'s defaults) and within half.

Neither codec decodes texels at random, as BC and wgml's latents do on the GPU: they code a whole
image with variable-length, context-adaptive entropy coding and spend bits where the detail is, which
usually takes fewer bits than a fixed-rate format. They are a reference point, not a bound: a set
where they miss a target within a budget is one where reaching it would take a representation better
than both on that content. (Pillow 9.4 has no AVIF or JPEG XL; WebP codes colour at 4:2:0, so JPEG
4:4:4 wins most colour maps.)

Texture kinds and channel counts come from bench/materials/bc-baseline.json (wgml's own
classification). Run from the repository root after `node bench/materials/corpus.mjs`:
    /usr/bin/python3 bench/materials/codec-baseline.py > bench/materials/codec-baseline.json
"""
import io
import json
import sys

import numpy as np
from PIL import Image

QUALITIES = range(30, 100, 2)
TARGETS = (35, 38, 40)


def code(arr, q, fmt):
    """Encode and decode one image (H×W grey or H×W×C), returning (decoded, bytes)."""
    grey = arr.ndim == 2
    img = Image.fromarray(np.repeat(arr[..., None], 3, -1) if grey and fmt == 'webp' else arr)
    buf = io.BytesIO()
    if fmt == 'jpeg':
        img.save(buf, 'JPEG', quality=q, subsampling=0)
    else:
        img.save(buf, 'WEBP', quality=q, method=6)
    out = np.asarray(Image.open(io.BytesIO(buf.getvalue())))
    if grey and out.ndim == 3:
        out = out[..., 0]
    return out, buf.tell()


def planes(path, kind, channels):
    """The images a texture is coded as, and the channels of the source each one scores."""
    rgba = np.asarray(Image.open(path).convert('RGBA'))
    if kind == 'color':
        return [rgba[..., :channels]]
    if kind == 'normal':
        return [rgba[..., 0], rgba[..., 1]]
    return [rgba[..., 0]] + ([rgba[..., 3]] if channels == 2 else [])


def curve(images, texels, channels):
    """(bits per texel, PSNR, codec) for every codec and quality."""
    pts = []
    for fmt in ('jpeg', 'webp'):
        for q in QUALITIES:
            se, nbytes = 0.0, 0
            for src in images:
                out, n = code(src, q, fmt)
                se += float(np.sum(((out.astype(np.float64) - src.astype(np.float64)) / 255) ** 2))
                nbytes += n
            mse = max(se / (texels * channels), 1e-12)
            pts.append((nbytes * 8 / texels, 10 * np.log10(1 / mse), f'{fmt} q{q}'))
    return pts


def cheapest(pts, target):
    ok = [p for p in pts if p[1] >= target]
    return min(ok) if ok else None


def best_within(curves, budget):
    """Highest weakest-texture PSNR whose per-texture cheapest points fit the budget (0.05 dB steps),
    and whether the codecs' top quality (98), not the budget, stopped it."""
    best = None
    for t in np.arange(20, 60, 0.05):
        picks = [cheapest(c, t) for c in curves]
        if any(p is None for p in picks):
            return best, True
        if sum(p[0] for p in picks) > budget:
            break
        best = round(float(t), 2)
    return best, False


def main():
    bc = json.load(open('bench/materials/bc-baseline.json'))
    out = {'codecs': 'Pillow %s: JPEG 4:4:4, WebP lossy method 6, qualities 30-98' % Image.__version__, 'sets': []}
    for s in bc['sets']:
        texels = s['width'] * s['height']
        names, curves = [], []
        for t in s['textures']:
            images = planes(f".corpus/{s['set']}/{t['name']}.png", t['kind'], t['channels'])
            names.append(t['name'])
            curves.append(curve(images, texels, t['channels']))
        row = {'set': s['set'], 'bcBitsPerTexel': s['bcBitsPerTexel'], 'bcMinTexturePsnr': s['minTexturePsnr'], 'targets': {}}
        for target in TARGETS:
            picks = [cheapest(c, target) for c in curves]
            if any(p is None for p in picks):
                row['targets'][str(target)] = None
                continue
            bits = sum(p[0] for p in picks)
            row['targets'][str(target)] = {'bitsPerTexel': round(bits, 2), 'fractionOfBc': round(bits / s['bcBitsPerTexel'], 3),
                                           'textures': {n: f'{p[2]} {p[0]:.2f} bpt {p[1]:.2f} dB' for n, p in zip(names, picks)}}
        for label, frac in (('third', 1 / 3), ('half', 1 / 2)):
            b, capped = best_within(curves, s['bcBitsPerTexel'] * frac)
            row[f'minPsnrWithin{label.capitalize()}OfBc'] = b
            if capped:
                row[f'minPsnrWithin{label.capitalize()}OfBcCappedByQuality'] = True
        out['sets'].append(row)
        t35, t40 = row['targets']['35'], row['targets']['40']
        print(f"{s['set']}: >=35 dB {t35['fractionOfBc'] if t35 else '-'} of BC, >=40 dB {t40['fractionOfBc'] if t40 else '-'}; "
              f"best min within 1/3 of BC {row['minPsnrWithinThirdOfBc']} dB", file=sys.stderr)
    json.dump(out, sys.stdout, indent=1)
    print()


if __name__ == '__main__':
    main()
