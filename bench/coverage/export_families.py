#!/usr/bin/env python3
"""Export the model families of families_text.py / families_vision.py to ONNX with seeded weights,
and write each case's inputs as CASE.json next to them; expect_families.mjs then adds onnxruntime's
outputs to every CASE.json, and test/models-coverage-2.test.ts (or compare_families.mjs) runs wgml on
the same inputs.

    /usr/bin/python3 bench/coverage/export_families.py [OUT_DIR] [--wide]
    node bench/coverage/expect_families.mjs [OUT_DIR]

OUT_DIR defaults to test/fixtures/coverage-2 (the committed fixtures, small widths). --wide doubles
the widths for a by-hand check (bench/coverage/README.md).
"""
import json, os, sys
import numpy as np
import onnx
import torch
import torch.nn as nn
from onnx import numpy_helper, TensorProto

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from families_text import GPT2, T5, WhisperEncoder
from families_vision import UNetBlock, YOLOv8, SmallCNN, SmallTransformer

args = [a for a in sys.argv[1:] if not a.startswith('--')]
OUT = args[0] if args else 'test/fixtures/coverage-2'
W = 2 if '--wide' in sys.argv else 1


def init(m, seed):
    """He/LeCun-normal weights and non-trivial norms, so activations neither vanish nor saturate."""
    g = torch.Generator().manual_seed(seed)
    rn = lambda *s: torch.randn(*s, generator=g)
    with torch.no_grad():
        for mod in m.modules():
            if isinstance(mod, (nn.Conv1d, nn.Conv2d)) and mod.weight.requires_grad:
                fan = mod.weight[0].numel()
                mod.weight.copy_(rn(*mod.weight.shape) * (2.0 / fan) ** 0.5)
            elif isinstance(mod, nn.Linear):
                mod.weight.copy_(rn(*mod.weight.shape) * (1.0 / mod.in_features) ** 0.5)
            elif type(mod).__name__ == 'Conv1D':  # HuggingFace GPT-2's transposed Linear: weight [in, out]
                mod.weight.copy_(rn(*mod.weight.shape) * (1.0 / mod.weight.shape[0]) ** 0.5)
            elif isinstance(mod, nn.Embedding):
                mod.weight.copy_(rn(*mod.weight.shape))
            elif isinstance(mod, (nn.LayerNorm, nn.GroupNorm, nn.BatchNorm2d)):
                mod.weight.copy_(1 + 0.1 * rn(*mod.weight.shape))
                mod.bias.copy_(0.1 * rn(*mod.bias.shape))
                if isinstance(mod, nn.BatchNorm2d):
                    mod.running_mean.copy_(0.1 * rn(*mod.running_mean.shape))
                    mod.running_var.copy_(1 + 0.2 * torch.rand(*mod.running_var.shape, generator=g))
            if isinstance(getattr(mod, 'bias', None), torch.Tensor) and (isinstance(mod, (nn.Linear, nn.Conv1d, nn.Conv2d)) or type(mod).__name__ == 'Conv1D'):
                mod.bias.copy_(0.1 * rn(*mod.bias.shape))
    return m.eval()


def export(m, name, feeds, dyn=None, fold=True, opset=17, **kw):
    path = f'{OUT}/{name}.onnx'
    names = list(feeds)
    with torch.no_grad():
        outs = m(*feeds.values())
    n_out = len(outs) if isinstance(outs, tuple) else 1
    out_names = getattr(m, 'output_names', None) or (['output'] if n_out == 1 else [f'output{i}' for i in range(n_out)])
    torch.onnx.export(m, tuple(feeds.values()), path, opset_version=opset, input_names=names, output_names=out_names,
                      dynamic_axes=dyn, do_constant_folding=fold, **kw)
    print(f'{path}: {os.path.getsize(path) / 1024:.1f} KB', flush=True)
    return path


def case(name, model, feeds, tol=None, f16=False):
    """CASE.json: the model file, inputs as dtype/shape/values; expect_families.mjs adds 'outputs'."""
    ins = {}
    for k, v in feeds.items():
        a = v.numpy()
        dt = 'float16' if f16 and a.dtype == np.float32 else {np.dtype('float32'): 'float32', np.dtype('float16'): 'float16', np.dtype('int64'): 'int64'}[a.dtype]
        if dt == 'int64': vals = a.astype(np.int64)
        elif dt == 'float16': vals = a.astype(np.float16).astype(np.float64)
        else: vals = np.array([float(f'{v:.6g}') for v in a.reshape(-1).astype(np.float64)])  # short, and what both runtimes read
        ins[k] = {'dtype': dt, 'shape': list(a.shape), 'data': vals.reshape(-1).tolist()}
    body = {'model': os.path.basename(model), 'inputs': ins}
    if tol: body['tol'] = tol
    with open(f'{OUT}/{name}.json', 'w') as f: json.dump(body, f, separators=(',', ':'))


def gpt2_feeds(m, b, s, p, seed):
    g = torch.Generator().manual_seed(seed)
    ids = torch.randint(0, m.wte.num_embeddings, (b, s), generator=g)
    mask = torch.ones(b, p + s, dtype=torch.long)
    if b > 1: mask[1, :2] = 0  # a left-padded row
    feeds = {'input_ids': ids, 'attention_mask': mask}
    dh = m.blocks[0].dh
    for i in range(len(m.blocks)):
        feeds[f'past_key.{i}'] = torch.randn(b, m.blocks[0].h, p, dh, generator=g)
        feeds[f'past_value.{i}'] = torch.randn(b, m.blocks[0].h, p, dh, generator=g)
    return feeds


def gpt2(legacy):
    tag = 'legacy' if legacy else 'new'
    torch.manual_seed(1)
    m = init(GPT2(d=16 * W, legacy=legacy), 11)
    L = len(m.blocks)
    m.output_names = ['logits'] + [f'present_{kv}.{i}' for i in range(L) for kv in ('key', 'value')]
    dyn = {'input_ids': {0: 'batch', 1: 'seq'}, 'attention_mask': {0: 'batch', 1: 'total'}, 'logits': {0: 'batch', 1: 'seq'}}
    for i in range(L):
        for kv in ('key', 'value'):
            dyn[f'past_{kv}.{i}'] = {0: 'batch', 2: 'past'}
            dyn[f'present_{kv}.{i}'] = {0: 'batch', 2: 'total'}
    d = export(m, f'gpt2_{tag}_dyn', gpt2_feeds(m, 2, 3, 5, 1), dyn)
    case(f'gpt2_{tag}_dyn_p5', d, gpt2_feeds(m, 2, 4, 5, 2))
    case(f'gpt2_{tag}_dyn_p0', d, gpt2_feeds(m, 2, 6, 0, 3))
    if legacy:  # static exports traced at past length 0 (zero-size past tensors) and 5
        for p in (0, 5):
            f = gpt2_feeds(m, 1, 4, p, 4 + p)
            case(f'gpt2_{tag}_p{p}', export(m, f'gpt2_{tag}_p{p}', f), f)
        # float16, finfo(float32).min clipped to -1e4 as converters do; the padded row's fully masked
        # queries stay finite in both runtimes
        h = to_float16(d, f'{OUT}/gpt2_{tag}_f16.onnx')
        case(f'gpt2_{tag}_f16_p5', h, gpt2_feeds(m, 2, 4, 5, 2), tol={'rel': 1e-2, 'abs': 5e-3}, f16=True)
        case(f'gpt2_{tag}_f16_p0', h, gpt2_feeds(m, 2, 6, 0, 3), tol={'rel': 1e-2, 'abs': 5e-3}, f16=True)


def t5():
    torch.manual_seed(2)
    m = init(T5(d=16 * W), 12)
    g = torch.Generator().manual_seed(5)
    f = {'input_ids': torch.randint(0, 48, (2, 12), generator=g), 'decoder_input_ids': torch.randint(0, 48, (2, 12), generator=g)}
    p = export(m, 't5', f, {'input_ids': {0: 'batch', 1: 'src'}, 'decoder_input_ids': {0: 'batch', 1: 'tgt'}, 'output': {0: 'batch', 1: 'tgt'}})
    case('t5_12x12', p, f)
    short = {'input_ids': f['input_ids'][:1, :9], 'decoder_input_ids': f['decoder_input_ids'][:1, :5]}
    case('t5_9x5', p, short)
    case('t5_op18_9x5', upgrade(p, 18, f'{OUT}/t5_op18.onnx'), short)


def upgrade(path, opset, out):
    """torch 1.13 exports at most opset 17. Rewrite an opset-17 file as a later exporter would write it:
    Reduce* take axes as an input from 18, and torch's GroupNorm pattern (Reshape → InstanceNormalization
    → Reshape → Mul → Add) becomes GroupNormalization: at 18 with unit per-group scale (the Mul/Add keep
    the per-channel affine), at 21 with the per-channel weight and bias themselves."""
    m = onnx.load(path)
    gr = m.graph
    prod = {o: n for n in gr.node for o in n.output}
    users = lambda v: [n for n in gr.node if v in n.input]
    const = lambda v: numpy_helper.to_array(prod[v].attribute[0].t) if v in prod and prod[v].op_type == 'Constant' else None
    nodes = []
    for n in gr.node:
        if n.op_type.startswith('Reduce') and any(a.name == 'axes' for a in n.attribute) and n.op_type != 'ReduceSum':
            axes = [a for a in n.attribute if a.name == 'axes'][0]
            gr.initializer.append(numpy_helper.from_array(np.array(axes.ints, np.int64), n.name + '_axes'))
            n.input.append(n.name + '_axes'); n.attribute.remove(axes)
        if n.op_type == 'InstanceNormalization' and prod[n.input[0]].op_type == 'Reshape':
            pre = prod[n.input[0]]
            x, groups = pre.input[0], int(const(pre.input[1])[1])
            post = users(n.output[0])[0]
            mul = users(post.output[0])[0]
            add = users(mul.output[0])[0]
            eps = [a.f for a in n.attribute if a.name == 'epsilon'][0]
            if opset >= 21:
                w, b = prod[mul.input[1]].input[0], prod[add.input[1]].input[0]  # Unsqueeze(weight), Unsqueeze(bias)
                nodes.append(onnx.helper.make_node('GroupNormalization', [x, w, b], [add.output[0]], name=n.name.replace('InstanceNormalization', 'GroupNormalization'), num_groups=groups, epsilon=eps))
                add.output[0] = add.output[0] + '_dead'
            else:
                for k, v in (('ones', 1), ('zeros', 0)):
                    gr.initializer.append(numpy_helper.from_array(np.full(groups, v, np.float32), f'{n.name}_{k}'))
                nodes.append(onnx.helper.make_node('GroupNormalization', [x, n.name + '_ones', n.name + '_zeros'], [post.output[0]], name=n.name.replace('InstanceNormalization', 'GroupNormalization'), num_groups=groups, epsilon=eps))
                post.output[0] = post.output[0] + '_dead'
            continue
        nodes.append(n)
    # drop what no longer reaches an output, then write the nodes in an order that respects their inputs
    live, keep = {o.name for o in gr.output}, []
    for n in reversed(nodes):
        if any(o in live for o in n.output): keep.append(n); live.update(n.input)
    have, order, keep = {i.name for i in gr.input} | {t.name for t in gr.initializer}, [], keep[::-1]
    while keep:
        ready = [n for n in keep if all(not i or i in have for i in n.input)]
        order += ready; have.update(o for n in ready for o in n.output); keep = [n for n in keep if n not in ready]
    del gr.node[:]; gr.node.extend(order)
    m.opset_import[0].version = opset
    onnx.save(m, out)
    print(f'{out}: {os.path.getsize(out) / 1024:.1f} KB (opset {opset})', flush=True)
    return out


def unet():
    torch.manual_seed(3)
    m = init(UNetBlock(c=8 * W, ctx=8, tdim=16 * W, groups=4), 13)
    g = torch.Generator().manual_seed(6)
    # int64 timesteps, as diffusers' pipelines feed them
    f = {'sample': torch.randn(2, 4, 8, 8, generator=g), 'timestep': torch.tensor([10, 500]), 'context': torch.randn(2, 5, 8, generator=g)}
    dyn = {'sample': {0: 'batch', 2: 'h', 3: 'w'}, 'timestep': {0: 'batch'}, 'context': {0: 'batch', 1: 'ctx'}, 'output': {0: 'batch', 2: 'h', 3: 'w'}}
    # no constant folding: the timestep embedding's Range/Exp stay in the graph, as in unfolded exports
    p = export(m, 'unet_block', f, dyn, fold=False)
    case('unet_block_8x8', p, f)
    small = {'sample': torch.randn(1, 4, 6, 10, generator=g), 'timestep': torch.tensor([999]), 'context': torch.randn(1, 3, 8, generator=g)}
    for op in (18, 21):
        case(f'unet_block_op{op}', upgrade(p, op, f'{OUT}/unet_block_op{op}.onnx'), small)


def yolo():
    torch.manual_seed(4)
    m = init(YOLOv8(c=4 * W), 14)
    g = torch.Generator().manual_seed(7)
    f = {'images': torch.randn(1, 3, 32, 64, generator=g)}
    p = export(m, 'yolov8_head', f, {'images': {0: 'batch', 2: 'h', 3: 'w'}, 'output': {0: 'batch', 2: 'anchors'}})
    case('yolov8_head_32x64', p, f)
    case('yolov8_head_b2_32', p, {'images': torch.randn(2, 3, 32, 32, generator=g)})


def whisper():
    torch.manual_seed(5)
    m = init(WhisperEncoder(d=16 * W), 15)
    g = torch.Generator().manual_seed(8)
    f = {'mel': torch.randn(1, 16, 32, generator=g)}
    p = export(m, 'whisper_encoder', f, {'mel': {0: 'batch', 2: 'frames'}, 'output': {0: 'batch', 1: 'positions'}})
    case('whisper_encoder_32', p, f)
    case('whisper_encoder_19', p, {'mel': torch.randn(2, 16, 19, generator=g)})


def half(t):
    # as onnxconverter_common's convert_float_to_float16: magnitudes clipped to [1e-7, 1e4], so
    # finfo(float32).min masks stay finite
    a = numpy_helper.to_array(t)
    a = np.where(np.abs(a) > 1e4, np.sign(a) * 1e4, np.where((a != 0) & (np.abs(a) < 1e-7), np.sign(a) * 1e-7, a))
    return numpy_helper.from_array(a.astype(np.float16), t.name)


def to_float16(path, out):
    """float16 conversion without onnxconverter_common: float initializers, Constant and
    ConstantOfShape values, Cast targets and the graph's float inputs/outputs become float16."""
    m = onnx.load(path)
    gr = m.graph
    keep = {x for n in gr.node if n.op_type == 'Resize' for x in n.input[1:3]}  # roi and scales stay float32
    for i, t in enumerate(gr.initializer):
        if t.data_type == TensorProto.FLOAT and t.name not in keep: gr.initializer[i].CopyFrom(half(t))
    for n in gr.node:
        for a in n.attribute:
            if a.name == 'value' and a.t.data_type == TensorProto.FLOAT and n.output[0] not in keep: a.t.CopyFrom(half(a.t))
            if n.op_type == 'Cast' and a.name == 'to' and a.i == TensorProto.FLOAT:
                a.i = TensorProto.FLOAT16
    for v in list(gr.input) + list(gr.output):
        if v.type.tensor_type.elem_type == TensorProto.FLOAT: v.type.tensor_type.elem_type = TensorProto.FLOAT16
    del gr.value_info[:]
    onnx.save(m, out)
    print(f'{out}: {os.path.getsize(out) / 1024:.1f} KB', flush=True)
    return out


def fp16():
    torch.manual_seed(6)
    g = torch.Generator().manual_seed(9)
    cnn = init(SmallCNN(), 16)
    f = {'input': torch.randn(1, 3, 16, 16, generator=g)}
    p = to_float16(export(cnn, 'cnn_f32', f, {'input': {0: 'batch', 2: 'h', 3: 'w'}}), f'{OUT}/cnn_f16.onnx')
    os.remove(f'{OUT}/cnn_f32.onnx')
    case('cnn_f16', p, f, f16=True, tol={'rel': 1e-2, 'abs': 5e-3})
    tr = init(SmallTransformer(d=16 * W), 17)
    f = {'input': torch.randn(2, 6, 8, generator=g)}
    p = to_float16(export(tr, 'transformer_f32', f, {'input': {0: 'batch', 1: 'seq'}}), f'{OUT}/transformer_f16.onnx')
    os.remove(f'{OUT}/transformer_f32.onnx')
    case('transformer_f16', p, f, f16=True, tol={'rel': 1e-2, 'abs': 5e-3})


FAMILIES = dict(gpt2=lambda: (gpt2(True), gpt2(False)), t5=t5, unet=unet, yolo=yolo, whisper=whisper, fp16=fp16)
if __name__ == '__main__':
    os.makedirs(OUT, exist_ok=True)
    for name in (os.environ.get('FAMILIES') or ','.join(FAMILIES)).split(','):
        FAMILIES[name]()
