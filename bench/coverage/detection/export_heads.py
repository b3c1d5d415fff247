import sys, os, json
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from export_det import *  # build, seeded, out, torch, nn, randomize_bn
import numpy as np

class SSDHead(nn.Module):
    def __init__(s, m): super().__init__(); s.m = m
    def forward(s, x):
        h = s.m.head(list(s.m.backbone(x).values())); return h['bbox_regression'], h['cls_logits']
class RetinaHead(SSDHead): pass
class RPN(nn.Module):
    def __init__(s, m): super().__init__(); s.m = m
    def forward(s, x):
        f = list(s.m.backbone(x).values()); o, d = s.m.rpn.head(f)
        return torch.cat([t.flatten(1) for t in o], 1), torch.cat([t.flatten(1) for t in d], 1)
class Stage2(nn.Module):
    def __init__(s, m, size): super().__init__(); s.m = m; s.size = size
    def forward(s, x, proposals):
        f = s.m.backbone(x)
        b = s.m.roi_heads.box_roi_pool(f, [proposals], [(s.size, s.size)])
        return s.m.roi_heads.box_predictor(s.m.roi_heads.box_head(b))

class Stage2b(nn.Module):
    def __init__(s, m): super().__init__(); s.m = m
    def forward(s, x, proposals):
        f = s.m.backbone(x)['0']
        b = torchvision.ops.roi_align(f, [proposals], output_size=7, spatial_scale=f.shape[-1] / 320.0, sampling_ratio=2, aligned=False)
        return s.m.roi_heads.box_predictor(s.m.roi_heads.box_head(b))
def export(mod, inputs, names, outs, path, dyn=None):
    with torch.no_grad(): mod(*inputs)
    for op in [11, 16, 17] if os.environ.get('ALLOPS') else [11]:
        p = path.replace('.onnx', f'_op{op}.onnx')
        try:
            torch.onnx.export(mod, tuple(inputs), p, opset_version=op, input_names=names, output_names=outs, do_constant_folding=True, dynamic_axes=dyn)
            print(p, 'ok', flush=True)
        except Exception as e: print(p, 'failed', repr(e)[:500], flush=True)
    man = {}
    for n, t in zip(names, inputs):
        t.numpy().astype('float32').tofile(f'{path[:-5]}.{n}.bin'); man[n] = list(t.shape)
    json.dump(man, open(path[:-5] + '.json', 'w'))

which = sys.argv_real if hasattr(sys, 'argv_real') else os.environ.get('WHICH', 'ssd,retina,rpn,stage2').split(',')
torch.manual_seed(7)
if 'ssd' in which:
    m = seeded('ssdlite320_mobilenet_v3_large', 320); x = torch.randn(1, 3, 320, 320)
    export(SSDHead(m).eval(), [x], ['input'], ['bbox_regression', 'cls_logits'], os.path.join(out, f'ssdlite_head_320.onnx'))
if 'retina' in which:
    S = int(os.environ.get('RSIZE', 128))
    m = seeded('retinanet_resnet50_fpn', S); x = torch.randn(1, 3, S, S)
    export(RetinaHead(m).eval(), [x], ['input'], ['cls_logits', 'bbox_regression'], os.path.join(out, f'retinanet_head_{S}.onnx'))
if 'rpn' in which or 'stage2' in which or 'stage2b' in which:
    m = seeded('fasterrcnn_mobilenet_v3_large_320_fpn', 320); x = torch.randn(1, 3, 320, 320)
    if 'rpn' in which: export(RPN(m).eval(), [x], ['input'], ['objectness', 'deltas'], os.path.join(out, f'frcnn_rpn_320.onnx'))
    if 'stage2' in which:
        g = torch.Generator().manual_seed(5); c = torch.rand(20, 2, generator=g) * 250; wh = torch.rand(20, 2, generator=g) * 120 + 4
        props = torch.cat([c, (c + wh).clamp(max=319)], 1)
        export(Stage2(m, 320).eval(), [x, props], ['input', 'proposals'], ['class_logits', 'box_regression'], os.path.join(out, f'frcnn_stage2_320.onnx'))
    if 'stage2b' in which:
        g = torch.Generator().manual_seed(5); c = torch.rand(20, 2, generator=g) * 250; wh = torch.rand(20, 2, generator=g) * 120 + 4
        props = torch.cat([c, (c + wh).clamp(max=319)], 1)
        export(Stage2b(m).eval(), [x, props], ['input', 'proposals'], ['class_logits', 'box_regression'], os.path.join(out, f'frcnn_stage2b_320.onnx'))
from torchvision.models.detection.image_list import ImageList
from torchvision.ops import boxes as box_ops
class Decoded(nn.Module):
    # head + anchors + box decoding + class probabilities: the "export without NMS" path
    def __init__(s, m, sig): super().__init__(); s.m = m; s.sig = sig
    def forward(s, x):
        feats = list(s.m.backbone(x).values()); h = s.m.head(feats)
        il = ImageList(x, [(x.shape[-2], x.shape[-1])])
        anchors = s.m.anchor_generator(il, feats)
        boxes = s.m.box_coder.decode_single(h['bbox_regression'][0], anchors[0])
        boxes = box_ops.clip_boxes_to_image(boxes, (x.shape[-2], x.shape[-1]))
        sc = torch.sigmoid(h['cls_logits'][0]) if s.sig else torch.softmax(h['cls_logits'][0], -1)
        return boxes, sc
if 'ssddec' in which:
    m = seeded('ssdlite320_mobilenet_v3_large', 320); x = torch.randn(1, 3, 320, 320)
    export(Decoded(m, False).eval(), [x], ['input'], ['boxes', 'scores'], os.path.join(out, f'ssdlite_decoded_320.onnx'))
if 'retdec' in which:
    S = int(os.environ.get('RSIZE', 128))
    m = seeded('retinanet_resnet50_fpn', S); x = torch.randn(1, 3, S, S)
    export(Decoded(m, True).eval(), [x], ['input'], ['boxes', 'scores'], os.path.join(out, f'retinanet_decoded_{S}.onnx'),
           dyn={'input': {2: 'h', 3: 'w'}} if os.environ.get('DYN') else None)
