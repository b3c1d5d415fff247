#!/usr/bin/env python3
"""PyTorch eager baselines on the GPU machine, same architectures and sizes as wgml's benchmark:
fp32 with TF32 off (cuDNN), plus TF32 on for the U-Net. Median of CUDA-event-timed runs, batch 1.
One JSON line per model.   python3 bench/torch_baseline.py [runs]"""
import json, sys, statistics
import torch
sys.path.insert(0, 'scripts')
from export_models import build, randomize_bn  # noqa: E402

runs = int(sys.argv[1]) if len(sys.argv) > 1 else 100
dev = torch.device('cuda')


def time_model(m, x, tf32):
    torch.backends.cuda.matmul.allow_tf32 = tf32
    torch.backends.cudnn.allow_tf32 = tf32
    torch.backends.cudnn.benchmark = True
    with torch.no_grad():
        for _ in range(20):
            m(x)
        torch.cuda.synchronize()
        ts = []
        for _ in range(runs):
            a, b = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
            a.record(); m(x); b.record()
            torch.cuda.synchronize()
            ts.append(a.elapsed_time(b))
    return statistics.median(ts), min(ts)


for name in ['squeezenet1_1', 'resnet18', 'mobilenet_v2', 'mobilenet_v3_small', 'efficientnet_b0', 'shufflenet_v2_x0_5', 'unet']:
    torch.manual_seed(1234)
    m, cin = build(name)
    randomize_bn(m, torch.Generator().manual_seed(1234))
    m = m.eval().to(dev)
    h, w = (1080, 1920) if name == 'unet' else (224, 224)
    x = torch.randn(1, cin, h, w, device=dev)
    med, mn = time_model(m, x, False)
    row = {'model': name, 'torch_fp32_ms': round(med, 4), 'torch_fp32_min_ms': round(mn, 4)}
    if name == 'unet':
        row['torch_tf32_ms'] = round(time_model(m, x, True)[0], 4)
    print(json.dumps(row), flush=True)
