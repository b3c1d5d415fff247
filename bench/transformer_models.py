#!/usr/bin/env python3
"""Transformer (and contrast) models of issue #12 on the GPU machine: export them to ONNX (seeded random
weights, static shapes, TorchScript exporter, opset 17) and time PyTorch on the same card: eager fp32
(TF32 off), CUDA graph fp32 and CUDA graph TF32. One JSON line per model on stdout.

    python3 bench/transformer_models.py OUT_DIR [--runs N] [--no-torch] [name ...]

Names: resnet50 convnext_tiny vit_b_16 bert_encoder vit_tiny
bert_encoder: nn.TransformerEncoder, 12 post-norm layers of d768, 12 heads, FFN 3072, GELU, batch_first,
input [1, 128, 768]. vit_tiny: scripts/export_models.py's TinyViT (2 layers, d64) at 64×64.
"""
import json
import os
import statistics
import sys

import torch
import torch.nn as nn
import torchvision

sys.path.insert(0, os.path.join(os.path.dirname(__file__), '..', 'scripts'))
from export_models import TinyViT, randomize_bn  # noqa: E402

NAMES = ['resnet50', 'convnext_tiny', 'vit_b_16', 'bert_encoder', 'vit_tiny']


class BertEncoder(nn.Module):
    def __init__(self, d=768, heads=12, layers=12, ffn=3072):
        super().__init__()
        layer = nn.TransformerEncoderLayer(d, heads, ffn, dropout=0.0, activation='gelu', batch_first=True)
        self.enc = nn.TransformerEncoder(layer, layers, enable_nested_tensor=False)
        # TransformerEncoder deep-copies one layer: without fresh weights every layer is identical and the
        # exporter stores one copy (28 MB that fits the H200's L2) instead of twelve (340 MB).
        with torch.no_grad():
            for p in self.parameters():
                if p.dim() > 1:
                    nn.init.xavier_uniform_(p)
                else:
                    p.normal_(0, 0.02)

    def forward(self, x):
        return self.enc(x)


def build(name):
    """(model, example input) with seeded weights."""
    torch.manual_seed(1234)
    if name == 'bert_encoder':
        return BertEncoder(), torch.randn(1, 128, 768)
    if name == 'vit_tiny':
        return TinyViT(), torch.randn(1, 3, 64, 64)
    m = getattr(torchvision.models, name)()
    randomize_bn(m, torch.Generator().manual_seed(1234))
    return m, torch.randn(1, 3, 224, 224)


def export(m, x, path):
    kw = {'dynamo': False} if 'dynamo' in torch.onnx.export.__code__.co_varnames else {}
    torch.onnx.export(m, x, path, opset_version=17, input_names=['input'], output_names=['output'], do_constant_folding=True, **kw)


def median_ms(fn, runs):
    for _ in range(20):
        fn()
    torch.cuda.synchronize()
    ts = []
    for _ in range(runs):
        a, b = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
        a.record(); fn(); b.record()
        torch.cuda.synchronize()
        ts.append(a.elapsed_time(b))
    return statistics.median(ts)


def time_torch(m, x, runs):
    dev = torch.device('cuda')
    m = m.eval().to(dev)
    x = x.to(dev)
    torch.backends.cudnn.benchmark = True
    out = {}
    with torch.no_grad():
        for tf32 in (False, True):
            torch.backends.cuda.matmul.allow_tf32 = tf32
            torch.backends.cudnn.allow_tf32 = tf32
            if not tf32:
                out['torch_fp32_ms'] = round(median_ms(lambda: m(x), runs), 4)
            # CUDA graph: the whole forward replayed as one launch (no CPU launch overhead)
            s = torch.cuda.Stream()
            s.wait_stream(torch.cuda.current_stream())
            with torch.cuda.stream(s):
                for _ in range(3):
                    m(x)
            torch.cuda.current_stream().wait_stream(s)
            g = torch.cuda.CUDAGraph()
            with torch.cuda.graph(g):
                m(x)
            out['torch_graph_tf32_ms' if tf32 else 'torch_graph_fp32_ms'] = round(median_ms(g.replay, runs), 4)
    return out


def main():
    args = sys.argv[1:]
    runs = 100
    if '--runs' in args:
        i = args.index('--runs'); runs = int(args[i + 1]); del args[i:i + 2]
    no_torch = '--no-torch' in args
    args = [a for a in args if a != '--no-torch']
    out_dir, names = args[0], args[1:] or NAMES
    os.makedirs(out_dir, exist_ok=True)
    for name in names:
        m, x = build(name)
        m.eval()
        path = os.path.join(out_dir, f'{name}.onnx')
        if not os.path.exists(path):
            # not under no_grad: there, eval-mode encoder layers take a fused fast path the exporter cannot export
            export(m, x, path)
        row = {'model': name, 'input': list(x.shape)}
        if not no_torch:
            row.update(time_torch(m, x, runs))
        print(json.dumps(row), flush=True)


if __name__ == '__main__':
    main()
