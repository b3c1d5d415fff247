#!/usr/bin/env python3
"""Export the small transformer models the attention fusion is tested on (test/attention-fuse.test.ts),
with seeded random weights, through the TorchScript exporter of Debian's torch 1.13 (or a newer
torch with dynamo=False), plus graphs built with onnx.helper where torch 1.13 cannot produce them:
torch 2.x's F.scaled_dot_product_attention export (its symbolic_opset14 op sequence, reproduced) and
Microsoft's com.microsoft Attention / MultiHeadAttention contrib ops.

    python3 scripts/export_attention.py OUT_DIR [name ...]

Each model's forward writes the attention the way its source does: nn.MultiheadAttention /
nn.TransformerEncoderLayer / nn.TransformerDecoderLayer from torch itself; BERT, GPT-2 and ViT
self-attention in plain torch mirroring HuggingFace's modules (view/permute, matmul, / sqrt(d),
extended attention mask, Where with the causal bias buffer). `near_miss` holds four attentions that
must stay unfused. Sizes are tiny (sequence ≤ 16, width 32, 4 heads): the tests run on a software GPU.
"""
import math
import os
import sys

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

E, H, S, SM = 32, 4, 8, 11   # width, heads, sequence, memory (cross-attention) length
D = E // H


def export(m, args, names, outs, path, opset, dynamic=None):
    kw = {'dynamic_axes': {n: {0: 'batch'} for n in dynamic}} if dynamic else {}
    if 'dynamo' in torch.onnx.export.__code__.co_varnames:
        kw['dynamo'] = False
    m.eval()
    # not under no_grad: torch 1.13 would take nn.MultiheadAttention's fused fast path, which has no export
    torch.onnx.export(m, args, path, opset_version=opset, input_names=names, output_names=outs, do_constant_folding=True, **kw)


class MHASelf(nn.Module):
    def __init__(self, need_weights=False):
        super().__init__()
        self.mha = nn.MultiheadAttention(E, H, batch_first=True)
        self.need_weights = need_weights

    def forward(self, x, pad):
        y, w = self.mha(x, x, x, key_padding_mask=pad, need_weights=self.need_weights)
        return (y, w) if self.need_weights else y


class Encoder(nn.Module):
    """Post-norm (BERT-like) nn.TransformerEncoder with a key padding mask."""

    def __init__(self):
        super().__init__()
        layer = nn.TransformerEncoderLayer(E, H, 2 * E, dropout=0.0, batch_first=True, activation='gelu')
        self.enc = nn.TransformerEncoder(layer, 2, enable_nested_tensor=False)

    def forward(self, x, pad):
        return self.enc(x, src_key_padding_mask=pad)


class Decoder(nn.Module):
    """Pre-norm nn.TransformerDecoder with a causal self-attention mask and cross-attention to memory."""

    def __init__(self, opset):
        super().__init__()
        layer = nn.TransformerDecoderLayer(E, H, 2 * E, dropout=0.0, batch_first=True, norm_first=True)
        self.dec = nn.TransformerDecoder(layer, 2)
        self.opset = opset
        # aten::triu exports from opset 14; below it the mask is a buffer, as such models ship it
        self.register_buffer('causal', nn.Transformer.generate_square_subsequent_mask(S))

    def forward(self, tgt, mem):
        mask = nn.Transformer.generate_square_subsequent_mask(tgt.shape[1]) if self.opset >= 14 else self.causal
        return self.dec(tgt, mem, tgt_mask=mask)


class HFSelfAttention(nn.Module):
    """HuggingFace BertSelfAttention / ViTSelfAttention, eager path."""

    def __init__(self):
        super().__init__()
        self.query, self.key, self.value = nn.Linear(E, E), nn.Linear(E, E), nn.Linear(E, E)

    def heads(self, x):
        return x.view(x.size()[:-1] + (H, D)).permute(0, 2, 1, 3)

    def forward(self, x, ext_mask=None):
        q, k, v = self.heads(self.query(x)), self.heads(self.key(x)), self.heads(self.value(x))
        scores = torch.matmul(q, k.transpose(-1, -2)) / math.sqrt(D)
        if ext_mask is not None:
            scores = scores + ext_mask
        probs = nn.functional.dropout(nn.functional.softmax(scores, dim=-1), p=0.1, training=self.training)
        ctx = torch.matmul(probs, v).permute(0, 2, 1, 3).contiguous()
        return ctx.view(ctx.size()[:-2] + (E,))


class BertLayer(nn.Module):
    def __init__(self):
        super().__init__()
        self.attn, self.out, self.ln1 = HFSelfAttention(), nn.Linear(E, E), nn.LayerNorm(E, eps=1e-12)
        self.up, self.down, self.ln2 = nn.Linear(E, 2 * E), nn.Linear(2 * E, E), nn.LayerNorm(E, eps=1e-12)

    def forward(self, x, ext):
        x = self.ln1(x + self.out(self.attn(x, ext)))
        return self.ln2(x + self.down(F.gelu(self.up(x))))


class Bert(nn.Module):
    def __init__(self):
        super().__init__()
        self.layers = nn.ModuleList([BertLayer(), BertLayer()])

    def forward(self, x, attention_mask):
        # BertModel.get_extended_attention_mask
        ext = (1.0 - attention_mask[:, None, None, :].to(x.dtype)) * torch.finfo(x.dtype).min
        for layer in self.layers:
            x = layer(x, ext)
        return x


class GPT2Attention(nn.Module):
    """HuggingFace GPT2Attention, eager path: Conv1D c_attn (packed QKV), split, causal Where."""

    def __init__(self):
        super().__init__()
        self.w_attn, self.b_attn = nn.Parameter(torch.randn(E, 3 * E) * 0.2), nn.Parameter(torch.randn(3 * E) * 0.02)
        self.c_proj = nn.Linear(E, E)
        self.register_buffer('bias', torch.tril(torch.ones((16, 16), dtype=torch.bool)).view(1, 1, 16, 16))

    def split_heads(self, x):
        return x.view(x.size()[:-1] + (H, D)).permute(0, 2, 1, 3)

    def forward(self, x, attention_mask):
        qkv = torch.addmm(self.b_attn, x.view(-1, E), self.w_attn).view(x.size()[:-1] + (3 * E,))
        q, k, v = (self.split_heads(t) for t in qkv.split(E, dim=2))
        w = torch.matmul(q, k.transpose(-1, -2))
        w = w / torch.full([], v.size(-1) ** 0.5, dtype=w.dtype, device=w.device)
        ql, kl = q.size(-2), k.size(-2)
        causal = self.bias[:, :, kl - ql: kl, :kl]
        mask_value = torch.full([], torch.finfo(w.dtype).min, dtype=w.dtype, device=w.device)
        w = torch.where(causal, w.to(w.dtype), mask_value)
        w = w + attention_mask
        w = nn.functional.softmax(w, dim=-1)
        a = torch.matmul(w, v).permute(0, 2, 1, 3).contiguous()
        return self.c_proj(a.view(a.size()[:-2] + (E,)))


class GPT2Block(nn.Module):
    def __init__(self):
        super().__init__()
        self.ln_1, self.attn, self.ln_2 = nn.LayerNorm(E), GPT2Attention(), nn.LayerNorm(E)
        self.fc, self.proj = nn.Linear(E, 4 * E), nn.Linear(4 * E, E)

    def forward(self, x, mask):
        x = x + self.attn(self.ln_1(x), mask)
        h = self.fc(self.ln_2(x))
        h = 0.5 * h * (1.0 + torch.tanh(math.sqrt(2.0 / math.pi) * (h + 0.044715 * torch.pow(h, 3.0))))
        return x + self.proj(h)


class GPT2(nn.Module):
    def __init__(self):
        super().__init__()
        self.blocks = nn.ModuleList([GPT2Block(), GPT2Block()])
        self.ln_f = nn.LayerNorm(E)

    def forward(self, x, attention_mask):
        ext = (1.0 - attention_mask[:, None, None, :].to(x.dtype)) * torch.finfo(x.dtype).min
        for b in self.blocks:
            x = b(x, ext)
        return self.ln_f(x)


class ViTLayer(nn.Module):
    def __init__(self):
        super().__init__()
        self.ln_before, self.attn, self.out = nn.LayerNorm(E, eps=1e-12), HFSelfAttention(), nn.Linear(E, E)
        self.ln_after, self.up, self.down = nn.LayerNorm(E, eps=1e-12), nn.Linear(E, 2 * E), nn.Linear(2 * E, E)

    def forward(self, x):
        x = x + self.out(self.attn(self.ln_before(x)))
        return x + self.down(F.gelu(self.up(self.ln_after(x))))


class ViT(nn.Module):
    """HuggingFace-style ViT: 4×4 patches of a 16×16 image → 16 tokens + CLS, 2 pre-norm layers."""

    def __init__(self):
        super().__init__()
        self.patch = nn.Conv2d(3, E, 4, stride=4)
        self.cls = nn.Parameter(torch.randn(1, 1, E) * 0.5)
        self.pos = nn.Parameter(torch.randn(1, 17, E) * 0.5)
        self.layers = nn.ModuleList([ViTLayer(), ViTLayer()])
        self.ln, self.head = nn.LayerNorm(E, eps=1e-12), nn.Linear(E, 10)

    def forward(self, x):
        t = self.patch(x).flatten(2).transpose(1, 2)
        t = torch.cat([self.cls.expand(t.shape[0], -1, -1), t], 1) + self.pos
        for layer in self.layers:
            t = layer(t)
        return self.head(self.ln(t)[:, 0])


class NearMiss(nn.Module):
    """Attentions that must not fuse: weights also returned, softmax over the query axis, scale after
    the mask, tanh soft-capping between the product and the softmax."""

    def __init__(self):
        super().__init__()
        self.projs = nn.ModuleList([nn.Linear(E, 3 * E) for _ in range(4)])

    def forward(self, x, mask):
        # a projection each: the exporter's common-subexpression elimination would merge equal products,
        # and then a shared product alone would keep them all unfused
        (q1, k1, v1), (q2, k2, v2), (q3, k3, v3), (q4, k4, v4) = (
            (t.view(t.shape[0], S, H, D).transpose(1, 2) for t in p(x).split(E, dim=2)) for p in self.projs)
        p1 = torch.softmax((q1 @ k1.transpose(-1, -2)) / math.sqrt(D), dim=-1)
        a1 = p1 @ v1
        a2 = torch.softmax((q2 @ k2.transpose(-1, -2)) / math.sqrt(D), dim=-2) @ v2
        a3 = torch.softmax(((q3 @ k3.transpose(-1, -2)) + mask) / math.sqrt(D), dim=-1) @ v3
        a4 = torch.softmax(5.0 * torch.tanh((q4 @ k4.transpose(-1, -2)) / 5.0), dim=-1) @ v4
        return a1 + a2 + a3 + a4, p1


def torch_models():
    g = torch.Generator().manual_seed(7)
    x = torch.randn(2, S, E, generator=g)
    pad = torch.zeros(2, S, dtype=torch.bool)
    pad[1, -3:] = True
    am = torch.ones(2, S, dtype=torch.int64)
    am[1, -3:] = 0
    mem = torch.randn(2, SM, E, generator=g)
    img = torch.randn(1, 3, 16, 16, generator=g)
    nm_mask = torch.randn(S, S, generator=g)
    return {
        'mha_o13': (lambda: MHASelf(), (x, pad), ['x', 'pad'], ['y'], 13),
        'mha_o17': (lambda: MHASelf(), (x, pad), ['x', 'pad'], ['y'], 17, ['x', 'pad', 'y']),
        'mha_weights_o17': (lambda: MHASelf(True), (x, pad), ['x', 'pad'], ['y', 'w'], 17),
        'encoder_o13': (lambda: Encoder(), (x, pad), ['x', 'pad'], ['y'], 13),
        'encoder_o17': (lambda: Encoder(), (x, pad), ['x', 'pad'], ['y'], 17),
        'decoder_o14': (lambda: Decoder(14), (x, mem), ['tgt', 'mem'], ['y'], 14),
        'decoder_o17': (lambda: Decoder(17), (x, mem), ['tgt', 'mem'], ['y'], 17),
        'bert_o13': (lambda: Bert(), (x, am), ['x', 'attention_mask'], ['y'], 13),
        'gpt2_o14': (lambda: GPT2(), (x, am), ['x', 'attention_mask'], ['y'], 14),
        'vit_o17': (lambda: ViT(), (img,), ['input'], ['y'], 17),
        'near_miss_o17': (lambda: NearMiss(), (x, nm_mask), ['x', 'mask'], ['y', 'p'], 17),
    }


# --- graphs built with onnx.helper -------------------------------------------------------------------

def sdpa_model(path, opset, mask, Sq=5, Sk=7, axis=-1, Dh=8):
    """torch 2.x's TorchScript export of F.scaled_dot_product_attention (symbolic_opset14), op for op:
    the scale from Shape(query), q and kᵀ each multiplied by √scale, an is_causal mask built from
    Shape/Expand/Trilu/Equal/Where, a bool mask turned additive with Where(m, 0, −inf)."""
    import onnx
    from onnx import TensorProto as TP, helper as h, numpy_helper as nh
    B, NH = 2, 2
    c = lambda name, arr: h.make_node('Constant', [], [name], value=nh.from_array(np.array(arr), name))
    nodes = [
        # _attention_scale: 1 / sqrt(float(shape(q)[-1]))
        h.make_node('Shape', ['q'], ['qs']), c('m1', np.array([-1], np.int64)), c('big', np.array([9223372036854775807], np.int64)),
        h.make_node('Slice', ['qs', 'm1', 'big'], ['qd']), h.make_node('Cast', ['qd'], ['qdf'], to=TP.FLOAT),
        h.make_node('Sqrt', ['qdf'], ['qdsq']), c('one', np.array(1.0, np.float32)), h.make_node('Div', ['one', 'qdsq'], ['scale']),
        h.make_node('Transpose', ['k'], ['kt'], perm=[0, 1, 3, 2]),
        h.make_node('Sqrt', ['scale'], ['ss']), h.make_node('Mul', ['q', 'ss'], ['qsc']), h.make_node('Mul', ['kt', 'ss'], ['ktsc']),
        h.make_node('MatMul', ['qsc', 'ktsc'], ['qk']),
    ]
    inputs = [h.make_tensor_value_info(n, TP.FLOAT, [B, NH, s, Dh]) for n, s in (('q', Sq), ('k', Sk), ('v', Sk))]
    scores = 'qk'
    if mask == 'causal':
        nodes += [
            h.make_node('Shape', ['k'], ['ks']), c('m2', np.array([-2], np.int64)),
            h.make_node('Slice', ['qs', 'm2', 'm1'], ['tl']), h.make_node('Slice', ['ks', 'm2', 'm1'], ['sl']),
            h.make_node('Concat', ['tl', 'sl'], ['size'], axis=0), c('onef', np.array(1.0, np.float32)),
            h.make_node('Expand', ['onef', 'size'], ['ones']), h.make_node('Trilu', ['ones'], ['tri'], upper=0),
            c('zero', np.array(0.0, np.float32)), c('ninf', np.array(-np.inf, np.float32)),
            h.make_node('Equal', ['tri', 'zero'], ['upper']), h.make_node('Where', ['upper', 'ninf', 'zero'], ['am']),
            h.make_node('Add', ['qk', 'am'], ['qka'])]
        scores = 'qka'
    elif mask == 'bool':
        inputs.append(h.make_tensor_value_info('mask', TP.BOOL, [B, 1, Sq, Sk]))
        nodes += [c('zero', np.array([0.0], np.float32)), c('ninf', np.array([-np.inf], np.float32)),
                  h.make_node('Where', ['mask', 'zero', 'ninf'], ['am']), h.make_node('Add', ['qk', 'am'], ['qka'])]
        scores = 'qka'
    elif mask == 'float':
        inputs.append(h.make_tensor_value_info('mask', TP.FLOAT, [Sq, Sk]))
        nodes += [h.make_node('Add', ['qk', 'mask'], ['qka'])]
        scores = 'qka'
    nodes += [h.make_node('Softmax', [scores], ['w'], axis=axis), h.make_node('MatMul', ['w', 'v'], ['y'])]
    graph = h.make_graph(nodes, 'sdpa', inputs, [h.make_tensor_value_info('y', TP.FLOAT, [B, NH, Sq, Dh])])
    m = h.make_model(graph, opset_imports=[h.make_opsetid('', opset)])
    m.ir_version = 8
    onnx.checker.check_model(m)
    onnx.save(m, path)


def ms_model(path, op, attrs, inputs, weights, out_shape):
    """One com.microsoft Attention / MultiHeadAttention node; `inputs` lists (name, dtype, shape) graph
    inputs in the op's input order ('' skips an optional input), `weights` the initializers by name."""
    import onnx
    from onnx import TensorProto as TP, helper as h, numpy_helper as nh
    types = {'f': TP.FLOAT, 'i': TP.INT32}
    node = h.make_node(op, [n for n, *_ in inputs], ['y'], domain='com.microsoft', **attrs)
    graph = h.make_graph([node], op, [h.make_tensor_value_info(n, types[t], sh) for n, t, sh in inputs if n and n not in weights],
                         [h.make_tensor_value_info('y', TP.FLOAT, out_shape)], [nh.from_array(w, n) for n, w in weights.items()])
    m = h.make_model(graph, opset_imports=[h.make_opsetid('', 17), h.make_opsetid('com.microsoft', 1)])
    m.ir_version = 8
    onnx.save(m, path)


def ms_models():
    r = np.random.default_rng(5)
    w = lambda *shape: (r.standard_normal(shape) * 0.3).astype(np.float32)
    B, S, L, N, Hd = 2, 6, 9, 4, 8
    Dm = N * Hd
    att = lambda name, attrs, extra, wts: (name, lambda p: ms_model(p, 'Attention', dict(num_heads=N, **attrs),
                                                                     [('x', 'f', [B, S, Dm]), ('w', 'f', [Dm, 3 * Dm]), *extra], wts, [B, S, Dm]))
    mha = lambda name, attrs, ins, out_d=Dm, wts=None: (name, lambda p: ms_model(p, 'MultiHeadAttention', dict(num_heads=N, **attrs), ins, wts or {}, [B, S, out_d]))
    wq = w(Dm, 3 * Dm)
    return dict([
        att('ms_attention_raw2d', {}, [('b', 'f', [3 * Dm]), ('mask', 'i', [B, S])], {'w': wq, 'b': w(3 * Dm)}),
        att('ms_attention_lengths_causal', {'unidirectional': 1, 'scale': 0.2}, [('b', 'f', [3 * Dm]), ('mask', 'i', [B])], {'w': wq, 'b': w(3 * Dm)}),
        att('ms_attention_endstart_bias', {'mask_filter_value': -1e9}, [('b', 'f', [3 * Dm]), ('mask', 'i', [2 * B]), ('', '', []), ('ab', 'f', [1, N, S, S])], {'w': wq, 'b': w(3 * Dm)}),
        ('ms_attention_qkv_sizes_3d', lambda p: ms_model(p, 'Attention', dict(num_heads=N, qkv_hidden_sizes=[Dm, Dm, Dm // 2]),
                                                          [('x', 'f', [B, S, Dm]), ('w', 'f', [Dm, 2 * Dm + Dm // 2]), ('b', 'f', [2 * Dm + Dm // 2]), ('mask', 'i', [B, S, S])],
                                                          {'w': w(Dm, 2 * Dm + Dm // 2), 'b': w(2 * Dm + Dm // 2)}, [B, S, Dm // 2])),
        mha('ms_mha_cross_bias', {}, [('q', 'f', [B, S, Dm]), ('k', 'f', [B, L, Dm]), ('v', 'f', [B, L, Dm]), ('bias', 'f', [3 * Dm]), ('mask', 'i', [B, L])], wts={'bias': w(3 * Dm)}),
        mha('ms_mha_causal_bias_ab', {'unidirectional': 1}, [('q', 'f', [B, S, Dm]), ('k', 'f', [B, S, Dm]), ('v', 'f', [B, S, Dm]), ('', '', []), ('', '', []), ('ab', 'f', [B, 1, S, S])]),
        mha('ms_mha_packed_kv', {'scale': 0.5}, [('q', 'f', [B, S, Dm]), ('kv', 'f', [B, L, N, 2, Hd]), ('', '', []), ('', '', []), ('mask', 'i', [B])]),
        mha('ms_mha_packed_qkv', {}, [('qkv', 'f', [B, S, N, 3, Hd])]),
        # the packed forms unpacked, for onnxruntime (its CPU kernel has no packed layouts)
        mha('ms_mha_plain', {}, [('q', 'f', [B, S, Dm]), ('k', 'f', [B, S, Dm]), ('v', 'f', [B, S, Dm])]),
        mha('ms_mha_plain_cross_lengths', {'scale': 0.5}, [('q', 'f', [B, S, Dm]), ('k', 'f', [B, L, Dm]), ('v', 'f', [B, L, Dm]), ('', '', []), ('mask', 'i', [B])]),
        mha('ms_mha_bnsh', {}, [('q', 'f', [B, S, Dm]), ('k', 'f', [B, N, L, Hd]), ('v', 'f', [B, N, L, Hd]), ('', '', []), ('mask', 'i', [B, S, L])]),
    ])


def helper_models():
    return {
        **ms_models(),
        'sdpa_causal_o14': lambda p: sdpa_model(p, 14, 'causal', 6, 6),
        'sdpa_causal_cross_o17': lambda p: sdpa_model(p, 17, 'causal', 5, 7),
        'sdpa_bool_o14': lambda p: sdpa_model(p, 14, 'bool'),
        'sdpa_float_o17': lambda p: sdpa_model(p, 17, 'float'),
        'sdpa_nomask_o17': lambda p: sdpa_model(p, 17, None),
        # opset < 13 Softmax flattens from its axis: the last axis is the same, axis 1 is not (stays unfused)
        'sdpa_o12': lambda p: sdpa_model(p, 12, 'float', axis=3),
        'sdpa_o12_axis1': lambda p: sdpa_model(p, 12, 'float', axis=1),
        # a head wider than the kernel holds stays unfused rather than refused
        'sdpa_d320_o17': lambda p: sdpa_model(p, 17, None, 3, 4, Dh=320),
    }


def main():
    out = sys.argv[1]
    tm, hm = torch_models(), helper_models()
    names = sys.argv[2:] or [*tm, *hm]
    os.makedirs(out, exist_ok=True)
    for name in names:
        path = os.path.join(out, f'{name}.onnx')
        if os.path.exists(path):
            continue
        torch.manual_seed(1234)
        if name in tm:
            make, args, ins, outs, opset, *dyn = tm[name]
            export(make(), args, ins, outs, path, opset, *dyn)
        elif name in hm:
            hm[name](path)
        else:
            raise SystemExit(f'unknown model {name}; known: {", ".join([*tm, *hm])}')
        print(f'exported {path}')


if __name__ == '__main__':
    main()
