#!/usr/bin/env python3
"""Export the models the views/fusion passes are tested on (test/views-models.test.ts), with seeded
random weights, through the TorchScript exporter of Debian's torch 1.13 (or a newer torch with
dynamo=False). Small sizes: the tests run on a software GPU.

    python3 scripts/export_blocks.py OUT_DIR [name ...]

Names:
  ln_mlp13       Linear → LayerNorm → GELU → Linear → LayerNorm at opset 13, where the exporter writes
                 LayerNorm decomposed (ReduceMean, Sub, Pow, ReduceMean, Add, Sqrt, Div, Mul, Add).
  encoder{L}_o{op}  nn.TransformerEncoder, L post-norm (BERT-like) layers, d32, 4 heads, FFN 64, GELU,
                 batch_first, input [1, 8, 32], at opset 14 (decomposed LayerNorm) or 17.
  encoder2_dyn   encoder2_o17 with a dynamic sequence length (input [1, seq, 32]).
  vit{L}         L pre-norm ViT blocks (nn.TransformerEncoderLayer norm_first) after a patch embedding,
                 class token and position embedding, at 32×32 with 8×8 patches, d32.
  convnext_tiny  torchvision's convnext_tiny at 64×64 (random weights, layer scale randomized).
  bert_base_dyn  the BERT-base-sized encoder of bench/transformer_models.py (12 post-norm layers, d768,
                 12 heads, FFN 3072) with a dynamic sequence length (input [1, seq, 768]): 340 MB, for
                 bench/plan-time.ts (planning a second sequence length), not for tests.
"""
import os
import sys

import torch
import torch.nn as nn
import torchvision

E, H, S = 32, 4, 8


def export(m, x, path, opset, dynamic=None):
    kw = {'dynamo': False} if 'dynamo' in torch.onnx.export.__code__.co_varnames else {}
    m.eval()
    torch.onnx.export(m, x, path, opset_version=opset, input_names=['input'], output_names=['output'], do_constant_folding=True,
                      dynamic_axes=dynamic, **kw)


class LnMlp(nn.Module):
    def __init__(self):
        super().__init__()
        self.a, self.n1, self.b, self.n2 = nn.Linear(E, 2 * E), nn.LayerNorm(2 * E, eps=1e-6), nn.Linear(2 * E, E), nn.LayerNorm(E)

    def forward(self, x):
        return self.n2(self.b(nn.functional.gelu(self.n1(self.a(x)))))


def randomize(m):
    # LayerNorm weights and biases start at 1 and 0, which would hide a dropped affine part
    with torch.no_grad():
        for p in m.parameters():
            if p.dim() == 1:
                p.normal_(0.5, 0.3)


class Encoder(nn.Module):
    def __init__(self, layers, d=E, heads=H, ffn=2 * E):
        super().__init__()
        layer = nn.TransformerEncoderLayer(d, heads, ffn, dropout=0.0, activation='gelu', batch_first=True)
        self.enc = nn.TransformerEncoder(layer, layers, enable_nested_tensor=False)

    def forward(self, x):
        return self.enc(x)


class ViT(nn.Module):
    def __init__(self, layers, patch=8, size=32):
        super().__init__()
        n = (size // patch) ** 2
        self.patch = nn.Conv2d(3, E, patch, stride=patch)
        self.cls = nn.Parameter(torch.randn(1, 1, E) * 0.5)
        self.pos = nn.Parameter(torch.randn(1, n + 1, E) * 0.5)
        layer = nn.TransformerEncoderLayer(E, H, 2 * E, dropout=0.0, activation='gelu', batch_first=True, norm_first=True)
        self.blocks = nn.TransformerEncoder(layer, layers, enable_nested_tensor=False)
        self.norm = nn.LayerNorm(E)

    def forward(self, x):
        t = self.patch(x).flatten(2).transpose(1, 2)
        t = torch.cat([self.cls.expand(t.shape[0], -1, -1), t], 1) + self.pos
        return self.norm(self.blocks(t))


def build(name):
    torch.manual_seed(1234)
    if name == 'ln_mlp13':
        m = LnMlp(); randomize(m)
        return m, torch.randn(2, S, E), 13
    if name == 'encoder2_dyn':
        m = Encoder(2); randomize(m)
        return m, torch.randn(1, S, E), 17
    if name.startswith('encoder'):
        layers, opset = name[len('encoder'):].split('_o')
        m = Encoder(int(layers)); randomize(m)
        return m, torch.randn(1, S, E), int(opset)
    if name.startswith('vit'):
        m = ViT(int(name[3:])); randomize(m)
        return m, torch.randn(1, 3, 32, 32), 17
    if name == 'bert_base_dyn':
        m = Encoder(12, 768, 12, 3072)
        with torch.no_grad():  # distinct weights per layer (TransformerEncoder deep-copies one layer)
            for p in m.parameters():
                if p.dim() > 1:
                    nn.init.xavier_uniform_(p)
                else:
                    p.normal_(0, 0.02)
        return m, torch.randn(1, 128, 768), 17
    if name == 'convnext_tiny':
        m = torchvision.models.convnext_tiny()
        with torch.no_grad():
            for mod in m.modules():
                if hasattr(mod, 'layer_scale'):
                    mod.layer_scale.normal_(0.5, 0.2)
        return m, torch.randn(1, 3, 64, 64), 17
    raise SystemExit(f'unknown model {name}')


def main():
    out, names = sys.argv[1], sys.argv[2:]
    os.makedirs(out, exist_ok=True)
    for name in names:
        path = os.path.join(out, f'{name}.onnx')
        if os.path.exists(path):
            continue
        m, x, opset = build(name)
        export(m, x, path, opset, {'input': {1: 'seq'}, 'output': {1: 'seq'}} if name.endswith('_dyn') else None)
        print(f'exported {path} ({os.path.getsize(path) / 1e6:.1f} MB)')


if __name__ == '__main__':
    main()
