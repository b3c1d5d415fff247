#!/usr/bin/env python3
"""HuggingFace's own GPT-2, Llama, T5 and Whisper (tiny configs, seeded weights, nothing downloaded)
and the families of export_families.py, exported by a current PyTorch with both of its exporters:
TorchScript (dynamo=False, opset 17) and torch.export (dynamo=True, opset 18 and the exporter's own
default). This VM's torch 1.13 has neither transformers nor the dynamo exporter: run it where they are
(the GPU machine's image has torch 2.11 and transformers 5), then expect_families.mjs and
compare_families.mjs here, on the folder it wrote.

    python3 bench/coverage/export_hf.py OUT_DIR [NAME ...]
"""
import os, sys, traceback
sys.dont_write_bytecode = True  # the imports below are scripts beside this one
import torch
import torch.nn as nn

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import export_families as ef
from export_families import init, case, gpt2_feeds
from families_text import GPT2, T5, WhisperEncoder
from families_vision import UNetBlock, YOLOv8, SmallCNN, SmallTransformer

OUT = ef.OUT = sys.argv[1]
ONLY = sys.argv[2:]
os.makedirs(OUT, exist_ok=True)
results = []


def attempt(name, fn):
    if ONLY and not any(o in name for o in ONLY): return
    try:
        fn(); results.append((name, 'ok'))
    except Exception as e:
        results.append((name, f'{type(e).__name__}: {" ".join(str(e).split())[:400]}'))
        traceback.print_exc(limit=4)


def export(m, name, feeds, dyn, exporter, opset=None):
    path = f'{OUT}/{name}.onnx'
    kw = dict(input_names=list(feeds), output_names=m.output_names)
    if exporter == 'ts':
        torch.onnx.export(m, tuple(feeds.values()), path, opset_version=opset or 17, dynamo=False, dynamic_axes=dyn, **kw)
    else:
        D = getattr(torch.export.Dim, 'DYNAMIC', None) or torch.export.Dim.AUTO
        shapes = tuple({ax: D for ax in dyn[k]} if k in dyn else None for k in feeds)
        if getattr(m, 'varargs_from', None): shapes = shapes[:m.varargs_from] + (shapes[m.varargs_from:],)  # forward(a, b, *past)
        extra = {'opset_version': opset} if opset else {}
        torch.onnx.export(m, tuple(feeds.values()), path, dynamo=True, external_data=False, dynamic_shapes=shapes, **kw, **extra)
    import onnx
    got = {o.domain or 'ai.onnx': o.version for o in onnx.load(path).opset_import}
    print(f'{path}: {os.path.getsize(path) / 1024:.1f} KB, opsets {got}', flush=True)
    return path


def cache_tensors(c):
    if hasattr(c, 'layers'): return [t for l in c.layers for t in (l.keys, l.values)]
    if hasattr(c, 'key_cache'): return [t for k, v in zip(c.key_cache, c.value_cache) for t in (k, v)]
    return [t for kv in c for t in kv]


class CausalLM(nn.Module):
    """input_ids, attention_mask, past key/value per layer → logits, present key/value per layer."""

    def __init__(s, m, layers):
        super().__init__()
        s.m, s.L, s.varargs_from = m, layers, 2
        s.output_names = ['logits'] + [f'present_{kv}.{i}' for i in range(layers) for kv in ('key', 'value')]

    def forward(s, input_ids, attention_mask, *past):
        from transformers import DynamicCache
        cache = DynamicCache()
        for i in range(s.L): cache.update(past[2 * i], past[2 * i + 1], i)
        out = s.m(input_ids=input_ids, attention_mask=attention_mask, past_key_values=cache, use_cache=True)
        return (out.logits, *cache_tensors(out.past_key_values))


def lm_feeds(b, s, p, heads, dh, layers, vocab, seed, dtype=torch.float32):
    g = torch.Generator().manual_seed(seed)
    mask = torch.ones(b, p + s, dtype=torch.long)
    if b > 1: mask[1, :2] = 0
    f = {'input_ids': torch.randint(0, vocab, (b, s), generator=g), 'attention_mask': mask}
    for i in range(layers):
        f[f'past_key.{i}'] = torch.randn(b, heads, p, dh, generator=g).to(dtype)
        f[f'past_value.{i}'] = torch.randn(b, heads, p, dh, generator=g).to(dtype)
    return f


def lm_dyn(layers):
    d = {'input_ids': {0: 'batch', 1: 'seq'}, 'attention_mask': {0: 'batch', 1: 'total'}, 'logits': {0: 'batch', 1: 'seq'}}
    for i in range(layers):
        for kv in ('key', 'value'):
            d[f'past_{kv}.{i}'] = {0: 'batch', 2: 'past'}
            d[f'present_{kv}.{i}'] = {0: 'batch', 2: 'total'}
    return d


def hf_lm(kind, attn, exporter, opset=None, half=False):
    import transformers as T
    torch.manual_seed(0)
    if kind == 'gpt2':
        cfg = T.GPT2Config(vocab_size=64, n_positions=64, n_embd=32, n_layer=2, n_head=2)
        heads, kv = 2, 2
    else:
        cfg = T.LlamaConfig(vocab_size=64, hidden_size=32, intermediate_size=64, num_hidden_layers=2, num_attention_heads=4,
                            num_key_value_heads=2, max_position_embeddings=64)
        heads, kv = 4, 2
    m = T.AutoModelForCausalLM.from_config(cfg, attn_implementation=attn)
    m = CausalLM(init(m, 31), 2)
    dt = torch.float16 if half else torch.float32
    if half: m = m.half()
    name = f'hf_{kind}_{attn}_{exporter}{opset or ""}{"_f16" if half else ""}'
    p = export(m, name, lm_feeds(2, 3, 5, kv, 32 // heads, 2, 64, 1, dt), lm_dyn(2), exporter, opset)
    tol = {'rel': 1e-2, 'abs': 1e-2} if half else None
    case(f'{name}_p5', p, lm_feeds(2, 4, 5, kv, 32 // heads, 2, 64, 2, dt), tol)
    case(f'{name}_p0', p, lm_feeds(2, 6, 0, kv, 32 // heads, 2, 64, 3, dt), tol)


class Seq2Seq(nn.Module):
    output_names = ['logits']

    def __init__(s, m):
        super().__init__(); s.m = m

    def forward(s, input_ids, attention_mask, decoder_input_ids):
        return s.m(input_ids=input_ids, attention_mask=attention_mask, decoder_input_ids=decoder_input_ids, use_cache=False).logits


def hf_t5(exporter, opset=None):
    import transformers as T
    torch.manual_seed(0)
    cfg = T.T5Config(vocab_size=64, d_model=32, d_kv=16, d_ff=64, num_layers=1, num_decoder_layers=1, num_heads=2,
                     relative_attention_num_buckets=16, relative_attention_max_distance=10, feed_forward_proj='gated-gelu',
                     decoder_start_token_id=0, pad_token_id=0)
    m = Seq2Seq(init(T.T5ForConditionalGeneration(cfg), 32))
    g = torch.Generator().manual_seed(4)
    mask = torch.ones(2, 12, dtype=torch.long); mask[1, 9:] = 0
    f = {'input_ids': torch.randint(0, 64, (2, 12), generator=g), 'attention_mask': mask, 'decoder_input_ids': torch.randint(0, 64, (2, 12), generator=g)}
    dyn = {'input_ids': {0: 'batch', 1: 'src'}, 'attention_mask': {0: 'batch', 1: 'src'}, 'decoder_input_ids': {0: 'batch', 1: 'tgt'}, 'logits': {0: 'batch', 1: 'tgt'}}
    p = export(m, f'hf_t5_{exporter}{opset or ""}', f, dyn, exporter, opset)
    case(f'hf_t5_{exporter}{opset or ""}_12', p, f)
    case(f'hf_t5_{exporter}{opset or ""}_9x5', p, {'input_ids': f['input_ids'][:1, :9], 'attention_mask': mask[:1, :9], 'decoder_input_ids': f['decoder_input_ids'][:1, :5]})


class WhisperEnc(nn.Module):
    output_names = ['last_hidden_state']

    def __init__(s, m):
        super().__init__(); s.m = m

    def forward(s, input_features):
        return s.m.encoder(input_features).last_hidden_state


def hf_whisper(exporter, opset=None):
    import transformers as T
    torch.manual_seed(0)
    cfg = T.WhisperConfig(vocab_size=64, num_mel_bins=16, encoder_layers=2, encoder_attention_heads=2, decoder_layers=1, decoder_attention_heads=2,
                          d_model=32, encoder_ffn_dim=64, decoder_ffn_dim=64, max_source_positions=16, max_target_positions=16,
                          pad_token_id=0, bos_token_id=1, eos_token_id=2, decoder_start_token_id=1)
    m = WhisperEnc(init(T.WhisperModel(cfg), 33))
    g = torch.Generator().manual_seed(5)
    f = {'input_features': torch.randn(2, 16, 32, generator=g)}  # Whisper insists on 2·max_source_positions frames
    p = export(m, f'hf_whisper_enc_{exporter}{opset or ""}', f, {'input_features': {0: 'batch'}, 'last_hidden_state': {0: 'batch'}}, exporter, opset)
    case(f'hf_whisper_enc_{exporter}{opset or ""}', p, f)


def families(exporter, opset=None):
    """This VM's hand-written families through the current exporter."""
    tag = f'{exporter}{opset or ""}'
    m = init(GPT2(d=32, legacy=False), 11); m.varargs_from = 2
    m.output_names = ['logits'] + [f'present_{kv}.{i}' for i in range(2) for kv in ('key', 'value')]
    p = export(m, f'fam_gpt2_{tag}', gpt2_feeds(m, 2, 3, 5, 1), lm_dyn(2), exporter, opset)
    case(f'fam_gpt2_{tag}_p5', p, gpt2_feeds(m, 2, 4, 5, 2)); case(f'fam_gpt2_{tag}_p0', p, gpt2_feeds(m, 2, 6, 0, 3))
    m = init(T5(d=32), 12); m.output_names = ['output']
    g = torch.Generator().manual_seed(5)
    f = {'input_ids': torch.randint(0, 48, (2, 12), generator=g), 'decoder_input_ids': torch.randint(0, 48, (2, 12), generator=g)}
    case(f'fam_t5_{tag}', export(m, f'fam_t5_{tag}', f, {'input_ids': {0: 'batch', 1: 'src'}, 'decoder_input_ids': {0: 'batch', 1: 'tgt'}}, exporter, opset), f)
    m = init(UNetBlock(c=32, ctx=24), 13); m.output_names = ['output']
    f = {'sample': torch.randn(2, 4, 8, 8, generator=g), 'timestep': torch.tensor([10, 500]), 'context': torch.randn(2, 5, 24, generator=g)}
    p = export(m, f'fam_unet_{tag}', f, {'sample': {0: 'batch', 2: 'h', 3: 'w'}, 'timestep': {0: 'batch'}, 'context': {0: 'batch', 1: 'ctx'}}, exporter, opset)
    case(f'fam_unet_{tag}', p, f)
    m = init(YOLOv8(c=16), 14); m.output_names = ['output']
    f = {'images': torch.randn(1, 3, 64, 64, generator=g)}
    p = export(m, f'fam_yolo_{tag}', f, {'images': {0: 'batch', 2: 'h', 3: 'w'}}, exporter, opset)
    case(f'fam_yolo_{tag}', p, f); case(f'fam_yolo_{tag}_32x96', p, {'images': torch.randn(2, 3, 32, 96, generator=g)})
    m = init(WhisperEncoder(d=32), 15); m.output_names = ['output']
    f = {'mel': torch.randn(1, 16, 32, generator=g)}
    case(f'fam_whisper_{tag}', export(m, f'fam_whisper_{tag}', f, {'mel': {0: 'batch', 2: 'frames'}}, exporter, opset), f)


def half_models(exporter, opset=None):
    """Models converted by .half() in torch itself (float16 weights, I/O and arithmetic)."""
    g = torch.Generator().manual_seed(9)
    tag = f'{exporter}{opset or ""}'
    for name, m, x, dyn in (('cnn', SmallCNN(), torch.randn(1, 3, 16, 16, generator=g), {0: 'batch', 2: 'h', 3: 'w'}),
                            ('transformer', SmallTransformer(d=32), torch.randn(2, 6, 8, generator=g), {0: 'batch', 1: 'seq'})):
        m = init(m, 16).half(); m.output_names = ['output']
        f = {'input': x.half()}
        case(f'half_{name}_{tag}', export(m, f'half_{name}_{tag}', f, {'input': dyn}, exporter, opset), f, tol={'rel': 1e-2, 'abs': 1e-2})


# EXPORTERS=ts17,dynamo18,dynamo (the default: all three) picks the exporters, so several processes can share the work
for ex, op in [(e.rstrip('0123456789'), int(e[len(e.rstrip('0123456789')):] or 0) or None) for e in os.environ.get('EXPORTERS', 'ts17,dynamo18,dynamo').split(',')]:
    attempt(f'families {ex}{op or ""}', lambda: families(ex, op))
    for kind in ('gpt2', 'llama'):
        for attn in ('eager', 'sdpa'):
            attempt(f'hf {kind} {attn} {ex}{op or ""}', lambda: hf_lm(kind, attn, ex, op))
    attempt(f'hf t5 {ex}{op or ""}', lambda: hf_t5(ex, op))
    attempt(f'hf whisper {ex}{op or ""}', lambda: hf_whisper(ex, op))
    attempt(f'half {ex}{op or ""}', lambda: half_models(ex, op))
    attempt(f'hf gpt2 eager half {ex}{op or ""}', lambda: hf_lm('gpt2', 'eager', ex, op, half=True))

import transformers, onnx
print(f'torch {torch.__version__}, transformers {transformers.__version__}, onnx {onnx.__version__}')
for n, r in results: print(f'EXPORT {n}: {r}')
