"""Score AO models (exported .onnx, the shipped U-Net's levels) on a dataset split with PyTorch on the CPU: surface-pixel
PSNR of each model, and of GTAO's visibility (the fifth input channel) taken as the AO itself, against the split's
ray-cast targets. For scene families the models never trained on, e.g. the earlier generator's boxes and spheres:

  node dist/demo/dataset.js --out /tmp/simple --train 0 --test 60 --size 256 --rays 256 --views 2 --channels 5 --scenes simple
  /usr/bin/python3 bench/ao/score-split.py models/ao/ao.onnx,OTHER.onnx /tmp/simple [more dataset folders]

The models load through train_ao.py's --init-onnx path (checked against onnxruntime when the trainer runs on the GPU).
"""
import math
import os
import sys

import numpy as np
import torch

sys.path.insert(0, os.path.join(os.path.dirname(__file__), '..', '..', 'training'))
from train_ao import AONet, evaluate, init_from_onnx, surface_mask  # noqa: E402

if len(sys.argv) < 3:
    raise SystemExit(__doc__)
for folder in sys.argv[2:]:
    x = torch.from_numpy(np.load(os.path.join(folder, 'test_x.npy')))
    y = torch.from_numpy(np.load(os.path.join(folder, 'test_y.npy')))
    if x.shape[1] != 5:
        raise SystemExit(f'{folder}: {x.shape[1]} channels; the shipped models take 5 (dataset.js --channels 5)')
    for path in sys.argv[1].split(','):
        m = AONet((16, 32, 48, 64, 96), 20.0, in_ch=5)
        init_from_onnx(m, path)
        r = evaluate(m, x, y, torch.device('cpu'))
        print(f"{folder} ({len(x)} views) {path}: {r['psnr_db']:.2f} dB over surface pixels ({r['psnr_db_all_pixels']:.2f} all pixels), AO = 1: {r['ao_one_psnr_db']:.2f} dB")
    mask, d = surface_mask(x), x[:, 4:5].float() - y.float()
    print(f"{folder}: GTAO's visibility as the AO: {10 * math.log10(1 / ((d * d * mask).sum() / mask.sum()).item()):.2f} dB over surface pixels")
