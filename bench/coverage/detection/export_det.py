import sys, os, time
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '../../../scripts'))
import torch, torchvision, torch.nn as nn
from export_models import randomize_bn
import torchvision.models.detection as D
out = os.environ.get('OUT', '/tmp/wgml-probe'); os.makedirs(out, exist_ok=True)
def build(name, size):
    kw = dict(weights=None, weights_backbone=None)
    if name == 'retinanet_resnet50_fpn': kw.update(min_size=size, max_size=size)
    if name == 'fasterrcnn_mobilenet_v3_large_320_fpn': kw.update(min_size=size, max_size=size)
    if name == 'ssdlite320_mobilenet_v3_large': pass
    m = getattr(D, name)(**kw)
    # lower thresholds so random weights give detections
    if hasattr(m, 'score_thresh'): m.score_thresh = 0.0
    if hasattr(m, 'roi_heads'): m.roi_heads.score_thresh = 0.0
    if hasattr(m, 'rpn'): m.rpn.score_thresh = 0.0
    return m
def seeded(name, size):
    """The detector with seeded He-initialised convs, small-std heads and randomized BatchNorm, in eval mode."""
    g = torch.Generator().manual_seed(1234); torch.manual_seed(1234)
    m = build(name, size)
    for mod in m.modules():
        if isinstance(mod, nn.Conv2d): nn.init.kaiming_normal_(mod.weight, mode='fan_in', nonlinearity='relu')
    for n_, mod in m.named_modules():
        if isinstance(mod, (nn.Conv2d, nn.Linear)) and any(k in n_ for k in ('cls_logits', 'bbox_pred', 'bbox_reg')):
            nn.init.normal_(mod.weight, std=0.01); nn.init.zeros_(mod.bias)
    randomize_bn(m, g); return m.eval()
if __name__ == '__main__':
  for spec in sys.argv[1:]:
      name, _, size = spec.partition('@'); size = int(size or 320)
      m = seeded(name, size)
      x = torch.randn(3, size, size)
      with torch.no_grad(): y = m([x])[0]
      print(name, {k: tuple(v.shape) for k, v in y.items()}, 'scores', y['scores'][:5].tolist(), flush=True)
      torch.save({'x': x, **y}, f'{out}/{name}_{size}.pt')
      import numpy as np; x.numpy().astype('float32').tofile(f'{out}/{name}_{size}.input.bin')
      for op in [int(v) for v in os.environ.get('OPSETS', '11').split(',')]:
          path = f'{out}/{name}_{size}_op{op}.onnx'
          t = time.time()
          try:
              torch.onnx.export(m, ([x],), path, opset_version=op, input_names=['input'], output_names=['boxes', 'scores', 'labels'], do_constant_folding=True)
              print(f'{path} opset {op} {os.path.getsize(path)/1e6:.1f}MB {time.time()-t:.1f}s', flush=True)
          except Exception as e:
              print(name, op, 'failed', repr(e)[:600], flush=True)
