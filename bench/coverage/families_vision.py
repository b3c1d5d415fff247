"""Small vision families in plain torch, shaped like diffusers' UNet2DConditionModel blocks and
ultralytics' YOLOv8 (backbone, neck, Detect head without NMS), plus a CNN and a transformer for the
float16 conversion. Used by export_families.py."""
import math
import torch
import torch.nn as nn
import torch.nn.functional as F


def timestep_embedding(t, dim):
    # diffusers' get_timestep_embedding: Range, Exp, Mul, Sin, Cos, Concat
    half = dim // 2
    exponent = -math.log(10000) * torch.arange(start=0, end=half, dtype=torch.float32) / half
    emb = t[:, None].float() * torch.exp(exponent)[None, :]
    return torch.cat([torch.sin(emb), torch.cos(emb)], dim=-1)


class ResBlock(nn.Module):
    def __init__(s, cin, cout, tdim, groups=8):
        super().__init__()
        s.n1, s.n2 = nn.GroupNorm(groups, cin), nn.GroupNorm(groups, cout)
        s.c1, s.c2 = nn.Conv2d(cin, cout, 3, padding=1), nn.Conv2d(cout, cout, 3, padding=1)
        s.t = nn.Linear(tdim, cout)
        s.skip = nn.Conv2d(cin, cout, 1) if cin != cout else nn.Identity()

    def forward(s, x, temb):
        h = s.c1(F.silu(s.n1(x))) + s.t(F.silu(temb))[:, :, None, None]
        return s.skip(x) + s.c2(F.silu(s.n2(h)))


class CrossAttention(nn.Module):
    def __init__(s, d, ctx, heads):
        super().__init__()
        s.h, s.dh = heads, d // heads
        s.q, s.k, s.v = nn.Linear(d, d, bias=False), nn.Linear(ctx, d, bias=False), nn.Linear(ctx, d, bias=False)
        s.o = nn.Linear(d, d)

    def forward(s, x, ctx):
        b = x.shape[0]
        sh = lambda t: t.reshape(b, -1, s.h, s.dh).permute(0, 2, 1, 3).reshape(b * s.h, -1, s.dh)
        q, k, v = sh(s.q(x)), sh(s.k(ctx)), sh(s.v(ctx))
        # diffusers' AttnProcessor: baddbmm-free bmm * scale, softmax, bmm, heads folded into batch
        p = torch.softmax(torch.bmm(q, k.transpose(-1, -2)) * s.dh ** -0.5, dim=-1)
        a = torch.bmm(p, v).reshape(b, s.h, -1, s.dh).permute(0, 2, 1, 3).reshape(b, -1, s.h * s.dh)
        return s.o(a)


class Transformer2D(nn.Module):
    def __init__(s, c, ctx, heads=2, groups=8):
        super().__init__()
        s.norm, s.proj_in, s.proj_out = nn.GroupNorm(groups, c, eps=1e-6), nn.Conv2d(c, c, 1), nn.Conv2d(c, c, 1)
        s.ln1, s.ln2, s.ln3 = nn.LayerNorm(c), nn.LayerNorm(c), nn.LayerNorm(c)
        s.attn1, s.attn2 = CrossAttention(c, c, heads), CrossAttention(c, ctx, heads)
        s.ff_in, s.ff_out = nn.Linear(c, 8 * c), nn.Linear(4 * c, c)

    def forward(s, x, ctx):
        b, c, h, w = x.shape
        r = x
        x = s.proj_in(s.norm(x)).permute(0, 2, 3, 1).reshape(b, h * w, c)
        n = s.ln1(x)
        x = s.attn1(n, n) + x
        x = s.attn2(s.ln2(x), ctx) + x
        a, g = s.ff_in(s.ln3(x)).chunk(2, dim=-1)  # GEGLU
        x = s.ff_out(a * F.gelu(g)) + x
        return s.proj_out(x.reshape(b, h, w, c).permute(0, 3, 1, 2)) + r


class UNetBlock(nn.Module):
    """conv_in → ResBlock+Transformer → stride-2 down → mid ResBlock → nearest ×2 up → skip Concat →
    ResBlock+Transformer → GroupNorm/SiLU/conv_out; the timestep goes through the sinusoidal embedding."""

    def __init__(s, cin=4, c=32, ctx=24, tdim=64, groups=8):
        super().__init__()
        s.tdim = c
        s.t1, s.t2 = nn.Linear(c, tdim), nn.Linear(tdim, tdim)
        s.conv_in = nn.Conv2d(cin, c, 3, padding=1)
        s.r1, s.a1 = ResBlock(c, c, tdim, groups), Transformer2D(c, ctx, groups=groups)
        s.down = nn.Conv2d(c, c, 3, stride=2, padding=1)
        s.mid = ResBlock(c, 2 * c, tdim, groups)
        s.up = nn.Conv2d(2 * c, c, 3, padding=1)
        s.r2, s.a2 = ResBlock(2 * c, c, tdim, groups), Transformer2D(c, ctx, groups=groups)
        s.norm_out, s.conv_out = nn.GroupNorm(groups, c), nn.Conv2d(c, cin, 3, padding=1)

    def forward(s, sample, timestep, context):
        temb = s.t2(F.silu(s.t1(timestep_embedding(timestep, s.tdim))))
        h0 = s.a1(s.r1(s.conv_in(sample), temb), context)
        h = s.mid(s.down(h0), temb)
        h = s.up(F.interpolate(h, scale_factor=2.0, mode='nearest'))
        h = s.a2(s.r2(torch.cat([h, h0], dim=1), temb), context)
        return s.conv_out(F.silu(s.norm_out(h)))


class CBS(nn.Module):
    """ultralytics Conv: Conv2d + BatchNorm + SiLU (the BN folds into the conv on export)."""

    def __init__(s, cin, cout, k=1, st=1):
        super().__init__()
        s.conv, s.bn = nn.Conv2d(cin, cout, k, st, k // 2, bias=False), nn.BatchNorm2d(cout)

    def forward(s, x):
        return F.silu(s.bn(s.conv(x)))


class C2f(nn.Module):
    def __init__(s, cin, cout, n=1):
        super().__init__()
        s.c = cout // 2
        s.cv1, s.cv2 = CBS(cin, 2 * s.c), CBS((2 + n) * s.c, cout)
        s.m = nn.ModuleList(nn.Sequential(CBS(s.c, s.c, 3), CBS(s.c, s.c, 3)) for _ in range(n))

    def forward(s, x):
        y = list(s.cv1(x).split((s.c, s.c), 1))
        y.extend(m(y[-1]) + y[-1] for m in s.m)
        return s.cv2(torch.cat(y, 1))


class DFL(nn.Module):
    def __init__(s, c1=16):
        super().__init__()
        s.conv = nn.Conv2d(c1, 1, 1, bias=False).requires_grad_(False)
        s.conv.weight.data[:] = torch.arange(c1, dtype=torch.float).view(1, c1, 1, 1)
        s.c1 = c1

    def forward(s, x):
        b, _, a = x.shape
        return s.conv(x.view(b, 4, s.c1, a).transpose(2, 1).softmax(1)).view(b, 4, a)


def make_anchors(feats, strides, offset=0.5):
    points, stride_t = [], []
    for f, st in zip(feats, strides):
        _, _, h, w = f.shape
        sx = torch.arange(end=w, dtype=torch.float32) + offset
        sy = torch.arange(end=h, dtype=torch.float32) + offset
        sy, sx = torch.meshgrid(sy, sx, indexing='ij')
        points.append(torch.stack((sx, sy), -1).view(-1, 2))
        stride_t.append(torch.full((h * w, 1), st, dtype=torch.float32))
    return torch.cat(points), torch.cat(stride_t)


class YOLOv8(nn.Module):
    """A width-16 YOLOv8: strides 8/16/32, C2f blocks, an FPN/PAN neck with nearest upsampling, and
    the Detect head's export path (anchors from the feature sizes, DFL, sigmoid scores), no NMS."""

    def __init__(s, nc=4, c=16, reg_max=16):
        super().__init__()
        s.nc, s.reg_max, s.no = nc, reg_max, nc + 4 * reg_max
        s.stem = nn.Sequential(CBS(3, c, 3, 2), CBS(c, 2 * c, 3, 2), C2f(2 * c, 2 * c), CBS(2 * c, 2 * c, 3, 2))
        s.b4, s.b5 = nn.Sequential(C2f(2 * c, 2 * c), CBS(2 * c, 2 * c, 3, 2)), nn.Sequential(C2f(2 * c, 2 * c), CBS(2 * c, 2 * c, 3, 2))
        s.n4, s.n3 = C2f(4 * c, 2 * c), C2f(4 * c, 2 * c)
        s.d3, s.p4 = CBS(2 * c, 2 * c, 3, 2), C2f(4 * c, 2 * c)
        s.cv2 = nn.ModuleList(nn.Sequential(CBS(2 * c, c, 3), CBS(c, c, 3), nn.Conv2d(c, 4 * reg_max, 1)) for _ in range(3))
        s.cv3 = nn.ModuleList(nn.Sequential(CBS(2 * c, c, 3), CBS(c, c, 3), nn.Conv2d(c, nc, 1)) for _ in range(3))
        s.dfl, s.stride = DFL(reg_max), [8.0, 16.0, 32.0]

    def forward(s, x):
        p3 = s.stem(x)
        p4 = s.b4[1](s.b4[0](p3))
        p5 = s.b5[1](s.b5[0](p4))
        up = lambda t: F.interpolate(t, scale_factor=2.0, mode='nearest')
        n4 = s.n4(torch.cat([up(p5), p4], 1))
        n3 = s.n3(torch.cat([up(n4), p3], 1))
        o4 = s.p4(torch.cat([s.d3(n3), n4], 1))
        feats = [torch.cat((s.cv2[i](f), s.cv3[i](f)), 1) for i, f in enumerate([n3, o4, p5])]
        b = feats[0].shape[0]
        anchors, strides = (t.transpose(0, 1) for t in make_anchors(feats, s.stride))
        xc = torch.cat([f.view(b, s.no, -1) for f in feats], 2)
        box, cls = xc.split((s.reg_max * 4, s.nc), 1)
        lt, rb = s.dfl(box).chunk(2, 1)
        a = anchors.unsqueeze(0)
        x1y1, x2y2 = a - lt, a + rb
        dbox = torch.cat(((x1y1 + x2y2) / 2, x2y2 - x1y1), 1) * strides
        return torch.cat((dbox, cls.sigmoid()), 1)


class SmallCNN(nn.Module):
    def __init__(s):
        super().__init__()
        s.f = nn.Sequential(nn.Conv2d(3, 16, 3, padding=1), nn.BatchNorm2d(16), nn.ReLU(), nn.MaxPool2d(2),
                            nn.Conv2d(16, 32, 3, padding=1, groups=2), nn.ReLU(), nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(32, 10))

    def forward(s, x):
        return torch.softmax(s.f(x), dim=-1)


class SmallTransformer(nn.Module):
    def __init__(s, d=32, heads=2):
        super().__init__()
        s.inp = nn.Linear(8, d)
        s.enc = nn.TransformerEncoder(nn.TransformerEncoderLayer(d, heads, 2 * d, dropout=0.0, activation='gelu', batch_first=True, norm_first=True), 1, enable_nested_tensor=False)
        s.out = nn.Linear(d, 4)

    def forward(s, x):
        return s.out(s.enc(s.inp(x)))
