"""Train the demo's neural AO: a small U-Net mapping G-buffer (view normal xyz, depth/20) to ray-cast AO.

Data: `node <bundled src/demo/dataset.ts> --out training/data ...` (see models/ao/README.md).
Runs on CPU in a few minutes; reports MAE/PSNR on held-out scenes (disjoint seeds) and exports ONNX
(opset 17, dynamic H/W, input 'gbuffer' [1,4,H,W], output 'ao' [1,1,H,W]) to models/ao/ao.onnx.
Ops in the export: Conv, Relu, MaxPool, Resize (nearest), Concat, Sigmoid.
"""
import argparse
import json
import math
import os
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F


def block(cin, cout):
    return nn.Sequential(nn.Conv2d(cin, cout, 3, padding=1), nn.ReLU(), nn.Conv2d(cout, cout, 3, padding=1), nn.ReLU())


class UNet(nn.Module):
    """U-Net with len(chans) - 1 downsampling levels (H and W multiples of 2**levels): encoder blocks
    e1..eN of chans[:-1] channels, a bottleneck `mid` of chans[-1], decoders dN..d1 fed the upsampled
    level below concatenated with the matching encoder output. Two levels (16/32/32 or 16/32/64) is the
    shipped net; three (16/32/48/64) reach ~70 px, so occlusion from objects further away still reaches
    a pixel. Modules are named and created in the same order for every depth (checkpoints and seeds
    stay comparable)."""

    def __init__(self, chans=(16, 32, 32)):
        super().__init__()
        *enc, mid = chans
        self.levels = len(enc)
        for i, (cin, c) in enumerate(zip([4, *enc], enc), 1):
            setattr(self, f'e{i}', block(cin, c))
        self.mid = block(enc[-1], mid)
        below = mid
        for i in range(self.levels, 0, -1):
            setattr(self, f'd{i}', block(below + enc[i - 1], enc[i - 1]))
            below = enc[i - 1]
        self.head = nn.Conv2d(enc[0], 1, 1)
        self.pool = nn.MaxPool2d(2)
        self.up = nn.Upsample(scale_factor=2, mode='nearest')

    def forward(self, x):
        return torch.sigmoid(self.logits(x))

    def logits(self, x):
        skips = []
        for i in range(1, self.levels + 1):
            x = getattr(self, f'e{i}')(x if i == 1 else self.pool(x))
            skips.append(x)
        d = self.mid(self.pool(x))
        for i in range(self.levels, 0, -1):
            d = getattr(self, f'd{i}')(torch.cat([self.up(d), skips[i - 1]], 1))
        return self.head(d)


class HalfRes(nn.Module):
    """Runs the U-Net at half resolution (2×2 average of the G-buffer in, bilinear ×2 out), as
    screen-space AO usually is: AO is low-frequency, and the network then costs a quarter."""

    def __init__(self, net):
        super().__init__()
        self.net = net
        self.down = nn.AvgPool2d(2)
        self.up = nn.Upsample(scale_factor=2, mode='bilinear', align_corners=False)

    def forward(self, x):
        return torch.sigmoid(self.logits(x))

    def logits(self, x):
        return self.up(self.net.logits(self.down(x)))


def augment(x, y, rng):
    """Mirror images: AO is a geometric quantity, so it mirrors with the view-space normal component."""
    if rng.random() < 0.5:
        x, y = x.flip(3), y.flip(3)
        x = torch.cat([-x[:, :1], x[:, 1:]], 1)
    if rng.random() < 0.5:
        x, y = x.flip(2), y.flip(2)
        x = torch.cat([x[:, :1], -x[:, 1:2], x[:, 2:]], 1)
    return x, y


def evaluate(model, x, y, batch=16):
    model.eval()
    err, sq = 0.0, 0.0
    with torch.no_grad():
        for i in range(0, len(x), batch):
            p = model(x[i:i + batch])
            err += (p - y[i:i + batch]).abs().sum().item()
            sq += ((p - y[i:i + batch]) ** 2).sum().item()
    n = y.numel()
    mse = sq / n
    return err / n, 10 * math.log10(1.0 / max(mse, 1e-12))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--data', default='training/data')
    ap.add_argument('--out', default='models/ao/ao.onnx')
    ap.add_argument('--minutes', type=float, default=5.0, help='training time budget')
    ap.add_argument('--crop', type=int, default=64)
    ap.add_argument('--batch', type=int, default=16)
    ap.add_argument('--lr', type=float, default=2e-3)
    ap.add_argument('--seed', type=int, default=0)
    ap.add_argument('--threads', type=int, default=2)
    ap.add_argument('--levels', type=int, default=2, choices=[2, 3], help='U-Net depth (3 sees further: larger occluders)')
    ap.add_argument('--half', action='store_true', help='run the U-Net at half resolution inside the model')
    ap.add_argument('--wide', action='store_true', help='channels 16/32/64 instead of 16/32/32')
    args = ap.parse_args()
    torch.manual_seed(args.seed)
    torch.set_num_threads(args.threads)
    rng = np.random.default_rng(args.seed)

    load = lambda n: torch.from_numpy(np.load(os.path.join(args.data, n)))
    xtr, ytr, xte, yte = load('train_x.npy'), load('train_y.npy'), load('test_x.npy'), load('test_y.npy')
    print(f'train {tuple(xtr.shape)}  held-out {tuple(xte.shape)}')
    model = UNet((16, 32, 48, 64)) if args.levels == 3 else UNet((16, 32, 64 if args.wide else 32))
    if args.half:
        model = HalfRes(model)
    print('parameters', sum(p.numel() for p in model.parameters()))
    opt = torch.optim.Adam(model.parameters(), lr=args.lr)
    mean_mae = (yte - ytr.mean()).abs().mean().item()
    ones_mae = (yte - 1).abs().mean().item()
    print(f'baselines on held-out: training-mean AO everywhere MAE {mean_mae:.4f}; AO = 1 everywhere MAE {ones_mae:.4f}')

    budget = args.minutes * 60
    t0 = time.time()
    step, S, C = 0, xtr.shape[2], args.crop
    while time.time() - t0 < budget:
        model.train()
        idx = rng.integers(0, len(xtr), args.batch)
        oy, ox = rng.integers(0, S - C + 1, 2)
        xb, yb = augment(xtr[idx, :, oy:oy + C, ox:ox + C], ytr[idx, :, oy:oy + C, ox:ox + C], rng)
        lr = args.lr * 0.5 * (1 + math.cos(math.pi * min(1.0, (time.time() - t0) / budget)))
        for g in opt.param_groups:
            g['lr'] = lr
        # Cross-entropy on the logits with soft targets: most pixels are fully open (AO = 1), and an L1/L2
        # loss through the sigmoid saturates it to all-white within a few steps, where its gradient vanishes.
        loss = F.binary_cross_entropy_with_logits(model.logits(xb), yb)
        opt.zero_grad()
        loss.backward()
        opt.step()
        step += 1
        if step % 100 == 0:
            print(f'step {step}  {time.time() - t0:.0f}s  train BCE {loss.item():.4f}  lr {lr:.2e}', flush=True)

    mae, psnr = evaluate(model, xte, yte)
    tmae, tpsnr = evaluate(model, xtr[:100], ytr[:100])
    print(f'held-out ({len(xte)} scenes, full {S}x{S}): MAE {mae:.4f}  PSNR {psnr:.2f} dB   (train subset: MAE {tmae:.4f}  PSNR {tpsnr:.2f} dB)')

    os.makedirs(os.path.dirname(args.out), exist_ok=True)
    model.eval()
    torch.onnx.export(model, torch.zeros(1, 4, 64, 64), args.out, opset_version=17, input_names=['gbuffer'], output_names=['ao'],
                      dynamic_axes={'gbuffer': {2: 'H', 3: 'W'}, 'ao': {2: 'H', 3: 'W'}}, do_constant_folding=True)
    import onnx
    m = onnx.load(args.out)
    onnx.checker.check_model(m)
    ops = sorted({n.op_type for n in m.graph.node})
    print(f'exported {args.out} ({os.path.getsize(args.out)} bytes), ops: {ops}')
    # Reference outputs of the exported model on one held-out sample, for the JS tests.
    with torch.no_grad():
        ref = model(xte[:1]).numpy()
    stats = {'held_out_mae': mae, 'held_out_psnr_db': psnr, 'train_mae': tmae, 'baseline_mean_mae': mean_mae, 'baseline_ones_mae': ones_mae, 'steps': step,
             'minutes': args.minutes, 'crop': C, 'batch': args.batch, 'held_out_scenes': len(xte), 'train_scenes': len(xtr),
             'size': S, 'sample0_mean': float(ref.mean())}
    with open(os.path.join(os.path.dirname(args.out), 'metrics.json'), 'w') as f:
        json.dump(stats, f, indent=1)


if __name__ == '__main__':
    main()
