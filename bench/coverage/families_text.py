"""Small language-model families written in plain torch (no `transformers` here), shaped like the
HuggingFace/OpenAI code that users export, so the ONNX they produce has the same patterns: GPT-2's
causal-mask buffer and finfo.min masks, a KV cache, T5's relative-position buckets and RMSNorm,
Whisper's convolutional stem. Used by export_families.py."""
import math
import torch
import torch.nn as nn
import torch.nn.functional as F

MIN = torch.finfo(torch.float32).min


def gelu_new(x):
    # GPT-2's tanh approximation: Pow(x, 3), Tanh
    return 0.5 * x * (1.0 + torch.tanh(math.sqrt(2.0 / math.pi) * (x + 0.044715 * torch.pow(x, 3.0))))


class GPT2Block(nn.Module):
    def __init__(s, d, heads, maxpos, legacy):
        super().__init__()
        s.h, s.dh, s.legacy = heads, d // heads, legacy
        s.ln_1, s.ln_2 = nn.LayerNorm(d), nn.LayerNorm(d)
        s.c_attn, s.c_proj = nn.Linear(d, 3 * d), nn.Linear(d, d)
        s.fc, s.proj = nn.Linear(d, 4 * d), nn.Linear(4 * d, d)
        # GPT2Attention's boolean lower-triangular buffer, sliced by the key/query lengths
        s.register_buffer('bias', torch.tril(torch.ones(maxpos, maxpos, dtype=torch.bool)).view(1, 1, maxpos, maxpos))

    def split(s, x):
        b, t, _ = x.shape
        return x.view(b, t, s.h, s.dh).permute(0, 2, 1, 3)

    def forward(s, x, past_k, past_v, mask):
        q, k, v = s.c_attn(s.ln_1(x)).split(x.shape[-1], dim=2)
        q, k, v = s.split(q), s.split(k), s.split(v)
        k = torch.cat([past_k, k], dim=-2)
        v = torch.cat([past_v, v], dim=-2)
        w = torch.matmul(q, k.transpose(-1, -2)) / torch.full([], s.dh ** 0.5)
        if s.legacy:
            ql, kl = q.size(-2), k.size(-2)
            causal = s.bias[:, :, kl - ql:kl, :kl]
            w = torch.where(causal, w, torch.full([], MIN))
        w = torch.softmax(w + mask, dim=-1)
        a = torch.matmul(w, v).permute(0, 2, 1, 3)
        a = a.reshape(a.shape[0], a.shape[1], -1)
        x = x + s.c_proj(a)
        x = x + s.proj(gelu_new(s.fc(s.ln_2(x))))
        return x, k, v


class GPT2(nn.Module):
    """legacy: GPT2Model as in transformers 4.3x (bool buffer + Where, (1 - mask) * min, positions from
    Range over the past length). Otherwise the newer pattern: triu(full(min)) masked_fill'ed with the
    padding mask, positions from CumSum over attention_mask."""

    def __init__(s, vocab=48, d=32, heads=2, layers=2, maxpos=32, legacy=True):
        super().__init__()
        s.legacy = legacy
        s.wte, s.wpe = nn.Embedding(vocab, d), nn.Embedding(maxpos, d)
        s.blocks = nn.ModuleList([GPT2Block(d, heads, maxpos, legacy) for _ in range(layers)])
        s.ln_f = nn.LayerNorm(d)

    def forward(s, input_ids, attention_mask, *past):
        b, t = input_ids.shape
        p = past[0].shape[-2]
        if s.legacy:
            pos = torch.arange(p, t + p, dtype=torch.long).unsqueeze(0)
            mask = (1.0 - attention_mask[:, None, None, :].to(torch.float32)) * MIN
        else:
            pos = attention_mask.long().cumsum(-1) - 1
            pos = pos.masked_fill(attention_mask == 0, 1)[:, p:]
            causal = torch.triu(torch.full((t, t + p), MIN), diagonal=p + 1)
            causal = causal[None, None, :, :].expand(b, 1, -1, -1)
            pad = (causal + attention_mask[:, None, None, :].to(torch.float32)) == 0
            mask = causal.masked_fill(pad, MIN)
        x = s.wte(input_ids) + s.wpe(pos)
        present = []
        for i, blk in enumerate(s.blocks):
            x, k, v = blk(x, past[2 * i], past[2 * i + 1], mask)
            present += [k, v]
        x = s.ln_f(x)
        return (torch.matmul(x, s.wte.weight.t()), *present)


def t5_bucket(rel, bidirectional, num_buckets=16, max_distance=10):
    # small enough that 12 positions reach both the log branch and the Min clamp in either direction
    buckets = 0
    if bidirectional:
        num_buckets //= 2
        buckets += (rel > 0).to(torch.long) * num_buckets
        rel = torch.abs(rel)
    else:
        rel = -torch.min(rel, torch.zeros_like(rel))
    max_exact = num_buckets // 2
    small = rel < max_exact
    large = max_exact + (torch.log(rel.float() / max_exact) / math.log(max_distance / max_exact) * (num_buckets - max_exact)).to(torch.long)
    large = torch.min(large, torch.full_like(large, num_buckets - 1))
    return buckets + torch.where(small, rel, large)


class RMSNorm(nn.Module):
    """T5LayerNorm (rsqrt) or the Llama-style spelling with Sqrt and Reciprocal."""

    def __init__(s, d, recip=False):
        super().__init__()
        s.weight, s.recip = nn.Parameter(1 + 0.1 * torch.randn(d)), recip

    def forward(s, x):
        var = x.to(torch.float32).pow(2).mean(-1, keepdim=True)
        return s.weight * (x * torch.reciprocal(torch.sqrt(var + 1e-6)) if s.recip else x * torch.rsqrt(var + 1e-6))


class T5Attention(nn.Module):
    def __init__(s, d, heads, bias_table):
        super().__init__()
        s.h, s.dh = heads, d // heads
        s.q, s.k, s.v, s.o = (nn.Linear(d, d, bias=False) for _ in range(4))
        s.rel = nn.Embedding(16, heads) if bias_table else None

    def bias(s, ql, kl, bidirectional):
        ctx = torch.arange(ql, dtype=torch.long)[:, None]
        mem = torch.arange(kl, dtype=torch.long)[None, :]
        return s.rel(t5_bucket(mem - ctx, bidirectional)).permute([2, 0, 1]).unsqueeze(0)

    def forward(s, x, kv, pos_bias):
        b = x.shape[0]
        sh = lambda t: t.view(b, -1, s.h, s.dh).transpose(1, 2)
        q, k, v = sh(s.q(x)), sh(s.k(kv)), sh(s.v(kv))
        w = torch.matmul(q, k.transpose(3, 2)) + pos_bias  # T5 does not scale
        a = torch.matmul(F.softmax(w.float(), dim=-1), v)
        return s.o(a.transpose(1, 2).reshape(b, -1, s.h * s.dh))


class T5(nn.Module):
    """One encoder layer (bidirectional buckets, ReLU FF) and one decoder layer (causal buckets plus a
    causal mask, cross-attention, gated-GELU FF): the bias is computed once per stack and shared."""

    def __init__(s, vocab=48, d=32, heads=2):
        super().__init__()
        s.emb = nn.Embedding(vocab, d)
        s.e_ln1, s.e_ln2, s.e_lnf = RMSNorm(d), RMSNorm(d), RMSNorm(d)
        s.e_att = T5Attention(d, heads, True)
        s.e_wi, s.e_wo = nn.Linear(d, 2 * d, bias=False), nn.Linear(2 * d, d, bias=False)
        s.d_ln1, s.d_ln2, s.d_ln3, s.d_lnf = RMSNorm(d, True), RMSNorm(d, True), RMSNorm(d), RMSNorm(d, True)
        s.d_self, s.d_cross = T5Attention(d, heads, True), T5Attention(d, heads, False)
        s.d_wi0, s.d_wi1, s.d_wo = nn.Linear(d, 2 * d, bias=False), nn.Linear(d, 2 * d, bias=False), nn.Linear(2 * d, d, bias=False)
        s.lm = nn.Linear(d, vocab, bias=False)

    def forward(s, input_ids, decoder_input_ids):
        x = s.emb(input_ids)
        sl, tl = input_ids.shape[1], decoder_input_ids.shape[1]
        eb = s.e_att.bias(sl, sl, True)
        h = s.e_ln1(x)
        x = x + s.e_att(h, h, eb)
        x = x + s.e_wo(F.relu(s.e_wi(s.e_ln2(x))))
        enc = s.e_lnf(x)
        y = s.emb(decoder_input_ids)
        seq = torch.arange(tl)
        causal = (seq[None, :] <= seq[:, None]).to(torch.float32)
        db = s.d_self.bias(tl, tl, False) + (1.0 - causal)[None, None] * MIN
        h = s.d_ln1(y)
        y = y + s.d_self(h, h, db)
        y = y + s.d_cross(s.d_ln2(y), enc, torch.zeros(1, 1, 1, 1))
        h = s.d_ln3(y)
        y = y + s.d_wo(gelu_new(s.d_wi0(h)) * s.d_wi1(h))
        return s.lm(s.d_lnf(y) * (32 ** -0.5))


class WhisperEncoder(nn.Module):
    """Conv1d(k3) → GELU → Conv1d(k3, stride 2) → GELU → [B, T, C] + sinusoidal positions (sliced to
    the frames given) → pre-LN attention blocks (k without bias, q scaled before the product) → LN."""

    def __init__(s, mels=16, d=32, heads=2, layers=2, maxpos=32):
        super().__init__()
        s.h, s.dh = heads, d // heads
        s.conv1, s.conv2 = nn.Conv1d(mels, d, 3, padding=1), nn.Conv1d(d, d, 3, stride=2, padding=1)
        inv = torch.exp(-math.log(10000) / (d // 2 - 1) * torch.arange(d // 2))
        t = torch.arange(maxpos)[:, None] * inv[None, :]
        s.register_buffer('pos', torch.cat([torch.sin(t), torch.cos(t)], dim=1))
        s.layers = nn.ModuleList()
        for _ in range(layers):
            s.layers.append(nn.ModuleDict(dict(ln1=nn.LayerNorm(d), q=nn.Linear(d, d), k=nn.Linear(d, d, bias=False), v=nn.Linear(d, d),
                                               o=nn.Linear(d, d), ln2=nn.LayerNorm(d), fc1=nn.Linear(d, 4 * d), fc2=nn.Linear(4 * d, d))))
        s.ln = nn.LayerNorm(d)

    def forward(s, mel):
        x = F.gelu(s.conv1(mel))
        x = F.gelu(s.conv2(x)).permute(0, 2, 1)
        x = x + s.pos[:x.shape[1]]
        b = x.shape[0]
        sh = lambda t: t.view(b, -1, s.h, s.dh).transpose(1, 2)
        for L in s.layers:
            h = L['ln1'](x)
            q, k, v = sh(L['q'](h) * s.dh ** -0.5), sh(L['k'](h)), sh(L['v'](h))
            a = torch.matmul(torch.softmax(torch.matmul(q, k.transpose(-1, -2)), dim=-1), v)
            x = x + L['o'](a.transpose(1, 2).reshape(b, -1, s.h * s.dh))
            x = x + L['fc2'](F.gelu(L['fc1'](L['ln2'](x))))
        return s.ln(x)
