import sys, os, time
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..', 'scripts'))
import torch, torchvision
from export_models import randomize_bn
import torchvision.models as M
import torchvision.models.segmentation as S

def build(name):
    if name in ('r3d_18', 'mc3_18', 'r2plus1d_18', 's3d'): return getattr(M.video, name)()
    if name in ('ssdlite320_mobilenet_v3_large', 'fasterrcnn_mobilenet_v3_large_320_fpn', 'retinanet_resnet50_fpn'):
        return getattr(M.detection, name)(weights=None, weights_backbone=None)
    if name == 'raft_small': return M.optical_flow.raft_small(weights=None)
    if name == 'googlenet': return M.googlenet(aux_logits=False, transform_input=False, init_weights=True)
    if name == 'inception_v3': return M.inception_v3(aux_logits=False, init_weights=True, transform_input=False)
    if name in ('deeplabv3_mobilenet_v3_large', 'lraspp_mobilenet_v3_large', 'fcn_resnet50'):
        kw = dict(weights=None, weights_backbone=None)
        if name != 'lraspp_mobilenet_v3_large': kw['aux_loss'] = False
        return getattr(S, name)(**kw)
    return getattr(M, name)()

class Wrap(torch.nn.Module):
    def __init__(s, m): super().__init__(); s.m = m
    def forward(s, x):
        y = s.m(x)
        return y['out'] if isinstance(y, dict) else y

import torch.nn as nn
OPS = [int(v) for v in os.environ.get('OPSETS', '17,16,15,14,13,12,11').split(',')]
out = os.environ.get('OUT', '/tmp/wgml-coverage')
os.makedirs(out, exist_ok=True)
for spec in sys.argv[1:]:
    dyn = spec.startswith('dyn:'); spec = spec[4:] if dyn else spec
    name, _, size = spec.partition('@'); size = int(size or 64)
    path = f'{out}/{name}_{size}{"_dyn" if dyn else ""}_op{OPS[0]}.onnx'
    if os.path.exists(path): continue
    g = torch.Generator().manual_seed(1234); torch.manual_seed(1234)
    m = build(name)
    for mod in m.modules():
        if isinstance(mod, (nn.Conv2d, nn.Conv3d)): nn.init.kaiming_normal_(mod.weight, mode='fan_in', nonlinearity='relu')
    if name.startswith('vit'): nn.init.normal_(m.heads.head.weight, std=0.05); nn.init.normal_(m.heads.head.bias, std=0.05)
    randomize_bn(m, g); m = (m if 'ssd' in name or 'rcnn' in name or 'retina' in name else Wrap(m)).eval()
    x = torch.randn(1, 3, 8, size, size) if name in ('r3d_18', 'mc3_18', 'r2plus1d_18', 's3d') else torch.randn(1, 3, size, size)
    axes = {'input': {0: 'batch', x.dim() - 2: 'height', x.dim() - 1: 'width'}, 'output': {0: 'batch'}} if dyn else None
    if name in ('ssdlite320_mobilenet_v3_large', 'fasterrcnn_mobilenet_v3_large_320_fpn', 'retinanet_resnet50_fpn'):
        x = [x[0]]
    t = time.time()
    for op in OPS:
        try:
            torch.onnx.export(m, x, path, opset_version=op, input_names=['input'], output_names=['output'], do_constant_folding=True, dynamic_axes=axes)
            print(f'{path} opset {op} {os.path.getsize(path)/1e6:.1f}MB {time.time()-t:.1f}s', flush=True); break
        except Exception as e:
            print(name, op, 'failed', str(e)[:200], flush=True)
