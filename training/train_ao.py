"""Train the demo's neural AO: a U-Net mapping the G-buffer (view normal xyz, linear depth / 20) and, with
5-channel data (`dataset.js --channels 5`), GTAO's visibility at the pixel to ray-cast ambient occlusion, at the network's own scale (the demo feeds it every k-th pixel so the
focal length in grid pixels matches the training data's; see src/demo/network.ts).

Data: `node dist/demo/dataset.js --out training/data ...` (float16 .npy: train_x [N,C,S,S] with C 4 or 5, train_y
[N,1,S,S], test_*; meta.json with the focal length in pixels). Runs on CUDA when present (bf16
autocast, channels-last), else on the CPU (a smoke run). Trains for a fixed time, reports held-out
MAE/PSNR over surface pixels, and writes the ONNX model by hand with the `onnx` package (opset 17;
Conv, Relu, MaxPool, Resize (nearest), Concat, Sigmoid; input 'gbuffer' [1,C,H,W], output 'ao'
[1,1,H,W], H and W dynamic multiples of 2^levels) with metadata wgml.ao.focal_px, wgml.ao.multiple and wgml.ao.inputs,
so no torch.onnx exporter version matters. metrics.json goes beside the model.
"""
import argparse
import contextlib
import copy
import json
import math
import os
import time

import re
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

from ao_data import GrowingData


# Depth below which log-depth inputs are clamped (the G-buffer's depth is view depth / 20; surfaces are > 0.01).
LOG_DEPTH_MIN = 1e-4
# The input channels by count, as src/demo/network.ts AO_CHANNELS names them.
INPUTS = {4: 'normal,depth', 5: 'normal,depth,gtao', 6: 'normal,depth,gtao,layer2_gap', 7: 'normal,depth,gtao,gtao_half,gtao_quarter'}


class AONet(nn.Module):
    """U-Net: encoder levels of `chans` channels (two 3x3 convs each, 2x2 max pool between), the
    last the bottleneck; decoders upsample (nearest), concatenate the skip, two 3x3 convs; a 1x1 head
    to one logit. Inputs must be multiples of 2^(len(chans) - 1)."""

    def __init__(self, chans=(16, 24, 32, 48, 64), depth_scale=1.0, log_depth=False, in_ch=4, residual=False, norm=False):
        super().__init__()
        # With residual the head's logit is added to logit(GTAO visibility): the network starts from the
        # screen-space estimate and learns its correction, instead of re-deriving it from the input channel.
        self.residual = bool(residual)
        if self.residual and int(in_ch) < 5:
            raise ValueError('--residual needs the 5-channel input (GTAO visibility is channel 4)')
        self.chans = tuple(chans)
        # 4 inputs: view normal xyz, depth; a fifth is GTAO's visibility at the pixel (src/demo/network.ts),
        # so the network corrects a screen-space estimate instead of integrating horizons itself.
        self.in_ch = int(in_ch)
        if self.in_ch not in INPUTS:
            raise ValueError(f'the AO inputs are {sorted(INPUTS)} channels ({INPUTS}), not {in_ch}')
        if log_depth and self.in_ch != 4:
            raise ValueError('--log-depth is written for the 4-channel input only')
        # With log_depth the depth channel enters as log(depth): a neighbour's relative depth (z_n - z) / z, which
        # decides occlusion at every distance, becomes a difference that one convolution computes exactly; the
        # factor below then applies to log(depth).
        self.log_depth = bool(log_depth)
        # The depth channel is depth / 20: neighbouring grid pixels differ by ~1e-3, far below the normals'
        # scale, and a first layer would need weights in the hundreds to see them. Scaling the channel up
        # front fixes the optimisation; the export folds the factor into the first convolution's weights.
        self.depth_scale = float(depth_scale)
        self.register_buffer('in_scale', torch.tensor([1.0, 1.0, 1.0, self.depth_scale] + [1.0] * (self.in_ch - 4)).view(1, self.in_ch, 1, 1))
        self.enc = nn.ModuleList()
        cin = self.in_ch
        for c in chans:
            self.enc.append(nn.ModuleList([nn.Conv2d(cin, c, 3, padding=1), nn.Conv2d(c, c, 3, padding=1)]))
            cin = c
        self.dec = nn.ModuleList()
        for i in range(len(chans) - 2, -1, -1):
            self.dec.append(nn.ModuleList([nn.Conv2d(chans[i + 1] + chans[i], chans[i], 3, padding=1), nn.Conv2d(chans[i], chans[i], 3, padding=1)]))
        self.head = nn.Conv2d(chans[0], 1, 1)
        # With norm every 3x3 convolution is followed by a batch norm while training (against runs that start badly
        # and stay behind); fold_norm() folds the running statistics into the convolutions, so the exported
        # network is the same Conv/ReLU graph at the same cost.
        bn = (lambda c: nn.BatchNorm2d(c)) if norm else (lambda c: nn.Identity())
        self.enc_norm = nn.ModuleList([nn.ModuleList([bn(c), bn(c)]) for c in chans])
        self.dec_norm = nn.ModuleList([nn.ModuleList([bn(chans[i]), bn(chans[i])]) for i in range(len(chans) - 2, -1, -1)])

    @property
    def multiple(self):
        return 2 ** (len(self.chans) - 1)

    def logits(self, x):
        base = gtao_logit(x[:, 4:5].float()) if self.residual else None
        if self.log_depth:
            x = torch.cat([x[:, :3], torch.log(x[:, 3:4].clamp(min=LOG_DEPTH_MIN))], 1)
        x = x * self.in_scale
        skips = []
        for i, ((a, b), (na, nb)) in enumerate(zip(self.enc, self.enc_norm)):
            if i:
                x = F.max_pool2d(x, 2)
            x = F.relu(nb(b(F.relu(na(a(x))))))
            skips.append(x)
        for j, ((a, b), (na, nb)) in enumerate(zip(self.dec, self.dec_norm)):
            i = len(self.chans) - 2 - j
            x = torch.cat([F.interpolate(x, scale_factor=2, mode='nearest'), skips[i]], 1)
            x = F.relu(nb(b(F.relu(na(a(x))))))
        return self.head(x) if base is None else self.head(x) + base

    def forward(self, x):
        return torch.sigmoid(self.logits(x))


def fold_norm(model):
    """A copy of `model` with each batch norm's running statistics folded into the convolution before it
    (w' = w·γ/σ, b' = (b − μ)·γ/σ + β) and the norm replaced by identity: the eval-mode function, as plain convs."""
    m = copy.deepcopy(model).eval()
    pairs = [(conv, norms, k) for convs, norms in list(zip(m.enc, m.enc_norm)) + list(zip(m.dec, m.dec_norm)) for k, conv in enumerate(convs)]
    with torch.no_grad():
        for conv, norms, k in pairs:
            n = norms[k]
            if isinstance(n, nn.Identity):
                continue
            g = n.weight / torch.sqrt(n.running_var + n.eps)
            conv.weight.mul_(g.view(-1, 1, 1, 1))
            conv.bias.copy_((conv.bias - n.running_mean) * g + n.bias)
            norms[k] = nn.Identity()
    return m


# GTAO visibility is clamped to [GTAO_EPS, 1 - GTAO_EPS] before its logit (open sky gives exactly 1).
GTAO_EPS = 1e-3


def gtao_logit(g):
    g = g.clamp(GTAO_EPS, 1 - GTAO_EPS)
    return torch.log(g) - torch.log(1 - g)


def flip(x, y, h, v):
    """Mirror images: AO mirrors with the image, the view normal's x (horizontal) or y (vertical) flips sign."""
    if h:
        x, y = x.flip(3), y.flip(3)
        x = torch.cat([-x[:, :1], x[:, 1:]], 1)
    if v:
        x, y = x.flip(2), y.flip(2)
        x = torch.cat([x[:, :1], -x[:, 1:2], x[:, 2:]], 1)
    return x, y


def transpose(x, y):
    """Reflect images across the main diagonal (a camera rolled by 90° and mirrored; AO does not depend on
    either): rows become columns, and the view normal's (x, y) becomes (-y, -x) because the image's rows run
    down while view y runs up. With flip() this gives all 8 symmetries of the square crop."""
    x, y = x.transpose(2, 3), y.transpose(2, 3)
    return torch.cat([-x[:, 1:2], -x[:, :1], x[:, 2:]], 1), y


def surface_mask(x):
    return (x[:, :3].float().pow(2).sum(1, keepdim=True) > 0.25).float()


def evaluate(model, x, y, device, batch=16):
    """Held-out MAE and PSNR over surface pixels (sky is AO 1 everywhere) and over all pixels."""
    model.eval()
    s = {'abs': 0.0, 'sq': 0.0, 'n': 0.0, 'abs_all': 0.0, 'sq_all': 0.0, 'sq_ones': 0.0}
    with torch.no_grad():
        for i in range(0, len(x), batch):
            xb, yb = x[i:i + batch].to(device).float(), y[i:i + batch].to(device).float()
            p = model(xb)
            m = surface_mask(xb)
            d = p - yb
            s['abs'] += (d.abs() * m).sum().item(); s['sq'] += (d * d * m).sum().item(); s['n'] += m.sum().item()
            s['abs_all'] += d.abs().sum().item(); s['sq_all'] += (d * d).sum().item()
            s['sq_ones'] += (((1 - yb) ** 2) * m).sum().item()
    n, n_all = max(s['n'], 1.0), y.numel()
    psnr = lambda mse: 10 * math.log10(1.0 / max(mse, 1e-12))
    return {'mae': s['abs'] / n, 'psnr_db': psnr(s['sq'] / n), 'mae_all_pixels': s['abs_all'] / n_all, 'psnr_db_all_pixels': psnr(s['sq_all'] / n_all),
            'ao_one_psnr_db': psnr(s['sq_ones'] / n)}


def export_onnx(model, path, focal_px, opset=17):
    """The graph written node by node from the weights (the ops wgml runs), checked by onnx.checker."""
    import onnx
    from onnx import TensorProto, helper, numpy_helper
    nodes, inits = [], []
    counter = [0]

    def name(p):
        counter[0] += 1
        return f'{p}_{counter[0]}'

    def conv(x, m, relu=True, in_scale=None):
        w, b = name('w'), name('b')
        weight = m.weight.detach().float().cpu().numpy().copy()
        if in_scale is not None:
            weight *= in_scale.reshape(1, -1, 1, 1)
        inits.append(numpy_helper.from_array(weight, w))
        inits.append(numpy_helper.from_array(m.bias.detach().float().cpu().numpy(), b))
        k = m.kernel_size[0]
        out = name('conv')
        nodes.append(helper.make_node('Conv', [x, w, b], [out], kernel_shape=[k, k], pads=[k // 2] * 4, strides=[1, 1]))
        if not relu:
            return out
        r = name('relu')
        nodes.append(helper.make_node('Relu', [out], [r]))
        return r

    scales = name('scales')
    inits.append(numpy_helper.from_array(np.array([1, 1, 2, 2], dtype=np.float32), scales))
    x, skips = 'gbuffer', []
    if model.log_depth:
        for n, v in (('starts_n', [0]), ('ends_n', [3]), ('starts_d', [3]), ('ends_d', [4]), ('axes', [1])):
            inits.append(numpy_helper.from_array(np.array(v, dtype=np.int64), n))
        inits.append(numpy_helper.from_array(np.array(LOG_DEPTH_MIN, dtype=np.float32), 'log_depth_min'))
        nodes.append(helper.make_node('Slice', [x, 'starts_n', 'ends_n', 'axes'], ['nrm']))
        nodes.append(helper.make_node('Slice', [x, 'starts_d', 'ends_d', 'axes'], ['dep']))
        nodes.append(helper.make_node('Clip', ['dep', 'log_depth_min', ''], ['dep_c']))
        nodes.append(helper.make_node('Log', ['dep_c'], ['dep_log']))
        nodes.append(helper.make_node('Concat', ['nrm', 'dep_log'], ['gbuffer_in'], axis=1))
        x = 'gbuffer_in'
    for i, (a, b) in enumerate(model.enc):
        if i:
            p = name('pool')
            nodes.append(helper.make_node('MaxPool', [x], [p], kernel_shape=[2, 2], strides=[2, 2]))
            x = p
        x = conv(conv(x, a, in_scale=model.in_scale.detach().float().cpu().numpy().reshape(-1) if i == 0 else None), b)
        skips.append(x)
    for j, (a, b) in enumerate(model.dec):
        i = len(model.chans) - 2 - j
        u, c = name('up'), name('cat')
        nodes.append(helper.make_node('Resize', [x, '', scales], [u], mode='nearest', coordinate_transformation_mode='asymmetric', nearest_mode='floor'))
        nodes.append(helper.make_node('Concat', [u, skips[i]], [c], axis=1))
        x = conv(conv(c, a), b)
    logit = conv(x, model.head, relu=False)
    if model.residual:
        for n, v in (('starts_g', [4]), ('ends_g', [5]), ('axes_g', [1])):
            inits.append(numpy_helper.from_array(np.array(v, dtype=np.int64), n))
        for n, v in (('gtao_lo', GTAO_EPS), ('gtao_hi', 1 - GTAO_EPS), ('one', 1.0)):
            inits.append(numpy_helper.from_array(np.array(v, dtype=np.float32), n))
        nodes.append(helper.make_node('Slice', ['gbuffer', 'starts_g', 'ends_g', 'axes_g'], ['gtao']))
        nodes.append(helper.make_node('Clip', ['gtao', 'gtao_lo', 'gtao_hi'], ['gtao_c']))
        nodes.append(helper.make_node('Log', ['gtao_c'], ['gtao_log']))
        nodes.append(helper.make_node('Sub', ['one', 'gtao_c'], ['gtao_1m']))
        nodes.append(helper.make_node('Log', ['gtao_1m'], ['gtao_log1m']))
        nodes.append(helper.make_node('Sub', ['gtao_log', 'gtao_log1m'], ['gtao_logit']))
        nodes.append(helper.make_node('Add', [logit, 'gtao_logit'], ['logit_sum']))
        logit = 'logit_sum'
    nodes.append(helper.make_node('Sigmoid', [logit], ['ao']))
    graph = helper.make_graph(nodes, 'wgml_ao', [helper.make_tensor_value_info('gbuffer', TensorProto.FLOAT, [1, model.in_ch, 'H', 'W'])],
                              [helper.make_tensor_value_info('ao', TensorProto.FLOAT, [1, 1, 'H', 'W'])], inits)
    m = helper.make_model(graph, opset_imports=[helper.make_opsetid('', opset)], producer_name='wgml training/train_ao.py')
    m.ir_version = 8
    helper.set_model_props(m, {'wgml.ao.focal_px': f'{focal_px:.2f}', 'wgml.ao.multiple': str(model.multiple),
                               'wgml.ao.channels': ','.join(map(str, model.chans)), 'wgml.ao.depth_scale': f'{model.depth_scale:g}',
                               'wgml.ao.log_depth': str(int(model.log_depth)), 'wgml.ao.residual': str(int(model.residual)), 'wgml.ao.inputs': INPUTS[model.in_ch]})
    name_nodes(m.graph, len(model.chans), model.log_depth, model.residual)
    onnx.checker.check_model(m)
    onnx.save(m, path)
    return sorted({n.op_type for n in m.graph.node})


def name_nodes(graph, levels, log_depth=False, residual=False):
    """Names nodes and values the way torch.onnx names a module tree (/enc.0/enc.0.0/Conv,
    /mid/mid.2/Conv, /pool/MaxPool, /dec.1/Concat, /head/Conv; values <node>_output_0): the graph view,
    the per-layer diff and every error message show these names, not anonymous ops. Walks the node order
    export_onnx writes: per encoder level [MaxPool] Conv Relu Conv Relu (the last level is the bottleneck,
    'mid'), per decoder level Resize Concat Conv Relu Conv Relu, then the head Conv, with residual the GTAO logit (Slice Clip Log Sub Log Sub) and its Add, and the Sigmoid."""
    nodes = list(graph.node)
    names, k = [], 0
    if log_depth:
        names += ['/input/Slice', '/input/Slice_1', '/input/Clip', '/input/Log', '/input/Concat']
    for i in range(levels):
        if i:
            names.append('/pool/MaxPool' if i == 1 else f'/pool_{i - 1}/MaxPool')
        scope = '/mid/mid' if i == levels - 1 else f'/enc.{i}/enc.{i}'
        names += [f'{scope}.{j}/{op}' for j, op in enumerate(['Conv', 'Relu', 'Conv', 'Relu'])]
    for j in range(levels - 1):
        names += [f'/dec.{j}/Resize', f'/dec.{j}/Concat'] + [f'/dec.{j}/dec.{j}.{t}/{op}' for t, op in enumerate(['Conv', 'Relu', 'Conv', 'Relu'])]
    names += ['/head/Conv']
    if residual:
        names += ['/gtao/Slice', '/gtao/Clip', '/gtao/Log', '/gtao/Sub', '/gtao/Log_1', '/gtao/Sub_1', '/Add']
    names += ['/Sigmoid']
    if len(names) != len(nodes) or any(re.sub(r'_\d+$', '', n.split('/')[-1]) != node.op_type for n, node in zip(names, nodes)):
        raise ValueError(f'node order is not the U-Net export_onnx writes: {[n.op_type for n in nodes]}')
    outputs = {o.name for o in graph.output}
    rename = {}
    for n, node in zip(names, nodes):
        node.name = n
        for t, o in enumerate(node.output):
            if o not in outputs:
                rename[o] = f'{n}_output_{t}'
                node.output[t] = rename[o]
    for node in nodes:
        for t, x in enumerate(node.input):
            node.input[t] = rename.get(x, x)


def init_from_onnx(model, path):
    """Load an exported model's weights (export_onnx's Conv nodes in graph order: encoder, decoder, head) into a
    model of the same shape without batch norm (the export folded it). The first convolution carries the depth
    scale folded in; it is divided back out."""
    import onnx
    from onnx import numpy_helper
    g = onnx.load(path).graph
    inits = {t.name: numpy_helper.to_array(t) for t in g.initializer}
    convs = [n for n in g.node if n.op_type == 'Conv']
    mods = [m for pair in model.enc for m in pair] + [m for pair in model.dec for m in pair] + [model.head]
    norm = isinstance(model.enc_norm[0][0], nn.BatchNorm2d)
    if norm or len(convs) != len(mods):
        raise SystemExit(f'--init-onnx {path}: {len(convs)} convolutions for a model of {len(mods)}{" with batch norm (leave --norm out)" if norm else ""}; the levels (--channels) and inputs must match the file')
    with torch.no_grad():
        for k, (n, m) in enumerate(zip(convs, mods)):
            w, b = inits[n.input[1]], inits[n.input[2]]
            if tuple(w.shape) != tuple(m.weight.shape):
                raise SystemExit(f'--init-onnx {path}: convolution {k} ({n.name or n.output[0]}) has weights {tuple(w.shape)}, the model {tuple(m.weight.shape)}')
            wt = torch.from_numpy(w.copy())
            if k == 0:
                wt = wt / model.in_scale.detach().cpu().reshape(1, -1, 1, 1)
            m.weight.copy_(wt.to(m.weight.device)); m.bias.copy_(torch.from_numpy(b.copy()).to(m.bias.device))


def check_onnx(path, model, x):
    """The exported file against PyTorch on one sample, with onnxruntime when it is installed. Both in float32 on the
    CPU: on CUDA the convolutions run in TF32, whose rounding (1e-3 on this network) is the size of the errors this
    check is for (an --init-onnx load failed it at 1.4e-3 on the H200)."""
    try:
        import onnxruntime as ort
    except ImportError:
        return None
    sess = ort.InferenceSession(path, providers=['CPUExecutionProvider'])
    got = sess.run(None, {'gbuffer': x.float().cpu().numpy()})[0]
    with torch.no_grad():
        want = copy.deepcopy(model).cpu().float().eval()(x.float().cpu()).numpy()
    return float(np.abs(got - want).max())


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--data', default='training/data', help='the dataset directory, or the shards\' directories split by ,')
    ap.add_argument('--out', default='models/ao/ao.onnx')
    ap.add_argument('--minutes', type=float, default=4.0, help='training time budget')
    ap.add_argument('--steps', type=int, default=0, help='stop after this many steps (0: time budget only)')
    ap.add_argument('--crop', type=int, default=192)
    ap.add_argument('--batch', type=int, default=32)
    ap.add_argument('--lr', type=float, default=2e-3)
    ap.add_argument('--seed', type=int, default=0)
    ap.add_argument('--threads', type=int, default=2)
    ap.add_argument('--channels', default='16,32,48,64,96', help='channels per U-Net level, split by , or / (the last is the bottleneck)')
    ap.add_argument('--in-channels', type=int, default=0, help='use the first N input channels of the data (0: all): 4 trains a normal+depth model on 5-channel data')
    ap.add_argument('--log-depth', action='store_true', help='feed log(depth) instead of depth (Slice, Clip, Log, Concat in the model)')
    ap.add_argument('--residual', action='store_true', help='add the head to logit(GTAO visibility) (5-channel input): learn a correction of GTAO')
    ap.add_argument('--loss', choices=['bce', 'mse'], default='bce', help='bce: cross-entropy on the logits with soft targets; mse: squared error of the AO (what PSNR scores)')
    ap.add_argument('--clip', type=float, default=0.0, help='clip the gradient norm to this (0: off); against runs that start badly and stay behind (bench/ao-2026-12-03)')
    ap.add_argument('--no-vflip', dest='vflip', action='store_false', help='mirror left-right only (an upside-down view is not one the demo renders): 1.2 dB below all flips in one H200 run (bench/ao-2026-12-03), a run that trained worse on its own data too, so unsettled')
    ap.add_argument('--transpose', action='store_true', help='augment with the diagonal reflection too (a camera rolled by 90°): 0.4 dB below flips alone in one H200 run (bench/ao-2026-12-03), within this recipe\'s run-to-run spread')
    ap.add_argument('--ema', type=float, default=0.0, help='evaluate and export an exponential moving average of the weights with this decay (e.g. 0.999; 0: off): the batch-32 loss swings by ±30%% step to step, and an average of the late weights smooths what one last step leaves')
    ap.add_argument('--norm', action='store_true', help='batch norm after every 3x3 convolution while training, folded into the convolutions at export (same exported graph and cost)')
    ap.add_argument('--depth-scale', type=float, default=50.0, help='factor on the depth channel before the first convolution (folded into it at export)')
    # One GPU call is 10 minutes, data included: a longer run trains across calls, each on new scenes, on one
    # learning-rate schedule of --total-minutes.
    ap.add_argument('--save-state', default='', help='write the weights, optimizer state, step and time into the schedule here when done')
    ap.add_argument('--resume', default='', help='continue from a --save-state file (same architecture and options), on this call\'s data')
    ap.add_argument('--total-minutes', type=float, default=0.0, help='length of the learning-rate schedule across calls (0: --minutes)')
    ap.add_argument('--grow', type=float, default=0.0, help='read the training samples written since, every this many seconds (0: off): the data is still being rendered (training/h200.sh STREAM=1)')
    ap.add_argument('--init-onnx', default='', help='start from the weights of an exported model (e.g. models/ao/ao.onnx; same --channels and inputs, no --norm): a fine-tuning run, best with a lower --lr')
    args = ap.parse_args()
    torch.manual_seed(args.seed)
    torch.set_num_threads(args.threads)
    rng = np.random.default_rng(args.seed)
    cuda = torch.cuda.is_available()
    device = torch.device('cuda' if cuda else 'cpu')
    if cuda:
        torch.backends.cudnn.benchmark = True

    data = GrowingData(args.data.split(','), device, grow=args.grow > 0, in_channels=args.in_channels)
    xte, yte, meta = data.xte, data.yte, data.meta()
    print(f'train {tuple(data.xtr.shape)}  held-out {tuple(xte.shape)}  on {device}  data focal {meta["focalPx"]:.1f} px'
          + ('  (growing: new scenes are read while training)' if args.grow else ''), flush=True)
    model = AONet(tuple(int(c) for c in re.split('[,/]', args.channels)), args.depth_scale, args.log_depth, in_ch=xte.shape[1], residual=args.residual, norm=args.norm).to(device)
    if cuda:
        model = model.to(memory_format=torch.channels_last)
    nparams = sum(p.numel() for p in model.parameters())
    print('parameters', nparams, flush=True)
    opt = torch.optim.AdamW(model.parameters(), lr=args.lr, weight_decay=1e-4)
    # The average starts at the weights after warm-up would be as good; starting at init and ramping the decay
    # (min(d, (1 + n) / (10 + n)), as TensorFlow's ExponentialMovingAverage does) keeps early steps from dominating.
    ema = [p.detach().clone() for p in model.parameters()] if args.ema > 0 else None
    S, C = xte.shape[2], min(args.crop, xte.shape[2])
    C -= C % model.multiple

    budget = args.minutes * 60
    schedule = (args.total_minutes or args.minutes) * 60
    step, done_before, initial = 0, 0.0, None
    if args.init_onnx:
        init_from_onnx(model, args.init_onnx)
        diff = check_onnx(args.init_onnx, model.eval(), xte[:1])
        if diff is not None and diff > 1e-3:
            raise SystemExit(f'--init-onnx {args.init_onnx}: the loaded model differs from the file by {diff} on a held-out sample')
        print(f'initialised from {args.init_onnx} (onnxruntime vs the loaded model: max |diff| {diff})', flush=True)
        # The starting point on this call's held-out split: a fine-tune is worth keeping only if it beats it there, and
        # the split (rays, seeds) may differ from the one the file was chosen on.
        initial = evaluate(model, xte, yte, device)
        print(f"held-out PSNR of {args.init_onnx} before fine-tuning: {initial['psnr_db']:.2f} dB", flush=True)
    if args.resume:
        state = torch.load(args.resume, map_location=device)
        model.load_state_dict(state['model'])
        opt.load_state_dict(state['opt'])
        step, done_before = state['step'], state['seconds']
        if state.get('in_ch') != model.in_ch or state.get('chans') != list(model.chans):
            raise SystemExit(f"--resume {args.resume}: saved for {state.get('in_ch')} inputs and levels {state.get('chans')}, not {model.in_ch} and {list(model.chans)}")
        print(f'resumed {args.resume}: step {step}, {done_before:.0f} s of the {schedule:.0f} s schedule done', flush=True)
    t0 = last_poll = time.time()
    while time.time() - t0 < budget and (not args.steps or step < args.steps):
        if args.grow and time.time() - last_poll > args.grow:
            last_poll = time.time()
            data.poll()
        xtr, ytr = data.xtr, data.ytr
        model.train()
        idx = torch.from_numpy(rng.integers(0, len(xtr), args.batch)).to(device)
        oy, ox = (int(v) for v in rng.integers(0, S - C + 1, 2))
        xb = xtr[idx, :, oy:oy + C, ox:ox + C].float()
        yb = ytr[idx, :, oy:oy + C, ox:ox + C].float()
        xb, yb = flip(xb, yb, rng.random() < 0.5, (rng.random() < 0.5) and args.vflip)
        if args.transpose and rng.random() < 0.5:
            xb, yb = transpose(xb, yb)
        if cuda:
            xb = xb.contiguous(memory_format=torch.channels_last)
        frac = (done_before + time.time() - t0) / schedule if not args.steps else step / args.steps
        # Warm-up, then cosine decay over the time budget.
        lr = args.lr * min(1.0, (step + 1) / 200) * 0.5 * (1 + math.cos(math.pi * min(1.0, frac)))
        for g in opt.param_groups:
            g['lr'] = lr
        with (torch.autocast(device_type='cuda', dtype=torch.bfloat16) if cuda else contextlib.nullcontext()):
            logits = model.logits(xb)
        # Cross-entropy on the logits with soft targets: its minimum is the expected AO (like MSE's), without
        # the sigmoid saturating early on a target that is mostly 1.
        loss = F.binary_cross_entropy_with_logits(logits.float(), yb) if args.loss == 'bce' else F.mse_loss(torch.sigmoid(logits.float()), yb)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        if args.clip > 0:
            torch.nn.utils.clip_grad_norm_(model.parameters(), args.clip)
        opt.step()
        step += 1
        if ema is not None:
            d = min(args.ema, (1 + step) / (10 + step))
            with torch.no_grad():
                for e, p in zip(ema, model.parameters()):
                    e.lerp_(p.detach(), 1 - d)
        if step % 200 == 0:
            print(f'step {step}  {time.time() - t0:.0f}s  {len(xtr)} views  train {args.loss.upper()} {loss.item():.4f}  lr {lr:.2e}', flush=True)
    train_seconds = time.time() - t0
    xtr, ytr, meta = data.xtr, data.ytr, data.meta()
    if args.save_state:
        torch.save({'model': model.state_dict(), 'opt': opt.state_dict(), 'step': step, 'seconds': done_before + train_seconds,
                    'in_ch': model.in_ch, 'chans': list(model.chans)}, args.save_state)
        print(f'saved the training state to {args.save_state} (step {step}, {done_before + train_seconds:.0f} s of {schedule:.0f})', flush=True)

    raw = None
    if ema is not None:
        raw = evaluate(model, xte, yte, device)
        print(f"held-out PSNR of the last weights {raw['psnr_db']:.2f} dB; the average (--ema {args.ema}) is evaluated and exported", flush=True)
        with torch.no_grad():
            for p, e in zip(model.parameters(), ema):
                p.copy_(e)
    held = evaluate(model, xte, yte, device)
    train = evaluate(model, xtr[:64], ytr[:64], device)
    print(f"held-out ({len(xte)} views, full {S}x{S}, surface pixels): MAE {held['mae']:.4f}  PSNR {held['psnr_db']:.2f} dB "
          f"(AO = 1: {held['ao_one_psnr_db']:.2f} dB; all pixels {held['psnr_db_all_pixels']:.2f} dB)   train subset: PSNR {train['psnr_db']:.2f} dB", flush=True)

    os.makedirs(os.path.dirname(args.out) or '.', exist_ok=True)
    folded = fold_norm(model)
    # Compared in float64 on the CPU: on CUDA the convolutions run in TF32, whose rounding (~1e-3) would hide
    # or fake a folding error of the size this check is for.
    with torch.no_grad():
        xs = xte[:1].double()
        ref = copy.deepcopy(model).eval().cpu().double()
        fold_diff = (copy.deepcopy(folded).cpu().double()(xs) - ref(xs)).abs().max().item()
    if fold_diff > 1e-4:
        raise SystemExit(f'folding the batch norms changed the output by {fold_diff} (> 1e-4)')
    if args.norm:
        print(f'batch norms folded into the convolutions: max |diff| {fold_diff:.2e} (float64)', flush=True)
    model = folded
    ops = export_onnx(model, args.out, meta['focalPx'])
    diff = check_onnx(args.out, model, xte[:1])
    print(f'exported {args.out} ({os.path.getsize(args.out)} bytes), ops: {ops}; onnxruntime vs torch max |diff| {diff}', flush=True)
    stats = {'held_out': held, 'train_subset': train, 'parameters': nparams, 'channels': list(model.chans), 'depth_scale': model.depth_scale, 'log_depth': model.log_depth, 'residual': model.residual, 'loss': args.loss, 'clip': args.clip, 'ema': args.ema, 'norm': args.norm, 'held_out_last_weights': raw, 'seed': args.seed, 'augment': ('flips' if args.vflip else 'left-right flips') + (' + transpose' if args.transpose else ''), 'in_channels': model.in_ch, 'steps': step,
             'train_seconds': done_before + train_seconds, 'resumed_from': args.resume or None, 'initialised_from': args.init_onnx or None, 'held_out_initial': initial, 'device': str(torch.cuda.get_device_name(0) if cuda else 'cpu'), 'torch': torch.__version__,
             'crop': C, 'batch': args.batch, 'lr': args.lr, 'data': meta, 'onnxruntime_max_abs_diff': diff}
    with open(os.path.join(os.path.dirname(args.out) or '.', 'metrics.json'), 'w') as f:
        json.dump(stats, f, indent=1)


if __name__ == '__main__':
    main()
