#!/usr/bin/env python3
"""Export the models wgml is tested and benchmarked on, with seeded random weights (nothing is
downloaded), to ONNX with dynamic batch/height/width. Uses Debian's python3-torch/torchvision here
(torch 1.13) or the PyTorch on the GPU machine.

    python3 scripts/export_models.py OUT_DIR [--static HxW] [name ...]

--static exports fixed input sizes (for peers such as ONNX Runtime Web that need them); the U-Net
then uses 1080x1920 and the classifiers the given size.

Names: squeezenet1_1 resnet18 mobilenet_v2 mobilenet_v3_small efficientnet_b0 shufflenet_v2_x0_5 unet, and
any other torchvision classifier (googlenet without aux heads, swin_t, regnet_y_400mf, ...)
"""
import sys, os
import torch
import torch.nn as nn
import torchvision


class UNet(nn.Module):
    """A 4→1-channel U-Net of the size screen-space effects use (16–64 channels, 3 levels)."""

    def __init__(self, c=(16, 32, 64)):
        super().__init__()
        def block(i, o):
            return nn.Sequential(nn.Conv2d(i, o, 3, padding=1), nn.BatchNorm2d(o), nn.ReLU(inplace=True),
                                 nn.Conv2d(o, o, 3, padding=1), nn.ReLU(inplace=True))
        self.e1, self.e2, self.e3 = block(4, c[0]), block(c[0], c[1]), block(c[1], c[2])
        self.pool = nn.MaxPool2d(2)
        self.u2 = nn.ConvTranspose2d(c[2], c[1], 2, stride=2)
        self.d2 = block(2 * c[1], c[1])
        self.u1 = nn.Upsample(scale_factor=2, mode='nearest')
        self.r1 = nn.Conv2d(c[1], c[0], 1)
        self.d1 = block(2 * c[0], c[0])
        self.out = nn.Conv2d(c[0], 1, 1)

    def forward(self, x):
        e1 = self.e1(x)
        e2 = self.e2(self.pool(e1))
        e3 = self.e3(self.pool(e2))
        d2 = self.d2(torch.cat([self.u2(e3), e2], 1))
        d1 = self.d1(torch.cat([self.r1(self.u1(d2)), e1], 1))
        return torch.sigmoid(self.out(d1))


class TinyViT(nn.Module):
    """A small vision transformer (patch 8, width 64, 2 blocks, 4 heads, GELU MLP): exercises MatMul,
    Softmax, LayerNormalization, Erf, Transpose, Reshape, Split/Slice, Gather, Concat, ReduceMean."""

    def __init__(self, dim=64, depth=2, heads=4, patch=8, classes=10):
        super().__init__()
        self.patch = nn.Conv2d(3, dim, patch, stride=patch)
        self.cls = nn.Parameter(torch.randn(1, 1, dim) * 0.02)
        self.pos = nn.Parameter(torch.randn(1, 65, dim) * 0.02)
        layer = nn.TransformerEncoderLayer(dim, heads, dim * 2, dropout=0.0, activation='gelu', batch_first=True, norm_first=True)
        self.blocks = nn.TransformerEncoder(layer, depth, enable_nested_tensor=False)
        self.norm = nn.LayerNorm(dim)
        self.head = nn.Linear(dim, classes)

    def forward(self, x):
        t = self.patch(x).flatten(2).transpose(1, 2)
        t = torch.cat([self.cls.expand(t.shape[0], -1, -1), t], 1) + self.pos
        t = self.norm(self.blocks(t))
        return self.head(t[:, 0])


def build(name):
    if name == 'unet':
        return UNet(), 4
    if name == 'vit_tiny':
        return TinyViT(), 3
    if name == 'googlenet':
        # no auxiliary heads (they only run in training) and no input re-normalization
        return he_convs(torchvision.models.googlenet(aux_logits=False, transform_input=False, init_weights=True)), 3
    if name == 'regnet_y_400mf':
        return he_convs(torchvision.models.regnet_y_400mf()), 3
    return getattr(torchvision.models, name)(), 3


def he_convs(m):
    # Untrained googlenet (std 0.01 convs) and regnet shrink activations layer after layer, so their
    # logits barely depend on the input (googlenet's by 1e-8) and would hide a wrong kernel: He-init
    # the convs so the output follows the input.
    for mod in m.modules():
        if isinstance(mod, nn.Conv2d):
            nn.init.kaiming_normal_(mod.weight, mode='fan_in', nonlinearity='relu')
    return m


def randomize_bn(m, g):
    # fresh BatchNorm statistics so folding is exercised with non-trivial values
    for mod in m.modules():
        if isinstance(mod, nn.BatchNorm2d):
            with torch.no_grad():
                mod.running_mean.copy_(torch.randn(mod.num_features, generator=g) * 0.1)
                mod.running_var.copy_(torch.rand(mod.num_features, generator=g) * 0.5 + 0.75)
                mod.weight.copy_(torch.rand(mod.num_features, generator=g) * 0.5 + 0.75)
                mod.bias.copy_(torch.randn(mod.num_features, generator=g) * 0.1)


def export(m, x, path, dynamic):
    kw = {}
    if 'dynamo' in torch.onnx.export.__code__.co_varnames:
        kw['dynamo'] = False  # the TorchScript exporter: same graphs on torch 1.13 and 2.x
    axes = {'input': {0: 'batch', 2: 'height', 3: 'width'}, 'output': {0: 'batch'}} if dynamic else None
    torch.onnx.export(m, x, path, opset_version=17, input_names=['input'], output_names=['output'],
                      dynamic_axes=axes, do_constant_folding=True, **kw)


def main():
    args = sys.argv[1:]
    static = None
    if '--static' in args:
        i = args.index('--static')
        static = tuple(int(v) for v in args[i + 1].split('x'))
        del args[i:i + 2]
    out = args[0]
    names = args[1:] or ['squeezenet1_1', 'resnet18', 'mobilenet_v2', 'mobilenet_v3_small', 'efficientnet_b0', 'shufflenet_v2_x0_5', 'unet']
    os.makedirs(out, exist_ok=True)
    for name in names:
        path = os.path.join(out, f'{name}.onnx')
        if os.path.exists(path):
            continue
        g = torch.Generator().manual_seed(1234)
        torch.manual_seed(1234)
        m, cin = build(name)
        randomize_bn(m, g)
        m.eval()
        h, w = (1080, 1920) if static and name == 'unet' else static or (64, 64)
        if name == 'vit_tiny':
            h, w = 64, 64  # 8x8 patches + class token = the 65 positions it was built for
        x = torch.randn(1, cin, h, w)
        export(m, x, path, static is None and name != 'vit_tiny')
        print(f'exported {path} ({os.path.getsize(path) / 1e6:.1f} MB)')


if __name__ == '__main__':
    main()
