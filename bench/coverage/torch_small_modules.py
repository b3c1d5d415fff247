"""Small torch modules that exercise single ONNX ops (resize modes, pads, roll/flip, GroupNorm, unfold…),
exported at one opset with their input and torch's output as .npy, for run_small_modules.mjs.
    OPSET=11 /usr/bin/python3 bench/coverage/torch_small_modules.py /tmp/small11
Cases torch 1.13 cannot export at that opset are listed as such."""
import torch, torch.nn as nn, torch.nn.functional as F, numpy as np, json, sys, os
torch.manual_seed(0)
class M(nn.Module):
    def __init__(s, f): super().__init__(); s.f = f
    def forward(s, x): return s.f(x)
cases = {
 'bicubic': (lambda x: F.interpolate(x, scale_factor=2, mode='bicubic', align_corners=False), (1,3,8,8)),
 'bilinear_ac': (lambda x: F.interpolate(x, size=(13,7), mode='bilinear', align_corners=True), (1,3,8,8)),
 'nearest_exact': (lambda x: F.interpolate(x, scale_factor=1.5, mode='nearest-exact'), (1,3,8,8)),
 'pixel_unshuffle': (lambda x: F.pixel_unshuffle(x, 2), (1,3,8,8)),
 'roll': (lambda x: torch.roll(x, shifts=(2,-1), dims=(2,3)), (1,3,8,8)),
 'flip': (lambda x: torch.flip(x, dims=[3]), (1,3,8,8)),
 'reflpad': (lambda x: F.pad(x, (2,1,1,2), mode='reflect'), (1,3,8,8)),
 'replpad': (lambda x: F.pad(x, (2,1,1,2), mode='replicate'), (1,3,8,8)),
 'groupnorm': (nn.GroupNorm(3, 6), (2,6,5,5)),
 'atan2': (lambda x: torch.atan2(x[:, :1], x[:, 1:2]), (1,3,8,8)),
 'logsumexp': (lambda x: torch.logsumexp(x, dim=1), (2,5,7)),
 'cumprod': (lambda x: torch.cumprod(x, dim=1), (2,5,7)),
 'masked_fill': (lambda x: x.masked_fill(x > 0.5, -1.0), (2,5,7)),
 'glu': (lambda x: F.glu(x, dim=1), (2,6,7)),
 'gelu_tanh': (lambda x: F.gelu(x, approximate='tanh'), (2,6,7)),
 'unfold': (lambda x: F.unfold(x, 3, padding=1), (1,2,5,5)),
 'stft': (lambda x: torch.view_as_real(torch.stft(x, n_fft=16, hop_length=4, window=torch.hann_window(16), return_complex=True, center=False)), (2,64)),
 'sdpa_mask': (lambda x: F.scaled_dot_product_attention(x, x, x, is_causal=True), (1,2,6,8)),
 'argsort': (lambda x: torch.argsort(x, dim=-1).float(), (2,7)),
 'var_mean': (lambda x: torch.var(x, dim=2, unbiased=True), (2,5,7)),
 'norm': (lambda x: torch.linalg.vector_norm(x, ord=2, dim=1), (2,5,7)),
 'erfinv?': (lambda x: torch.special.erfinv(x.clamp(-0.9,0.9)), (2,5,7)),
 'tril': (lambda x: torch.tril(x), (3,7,7)),
 'maxpool_idx': (lambda x: F.max_pool2d(x, 2, return_indices=True)[1].float(), (1,2,6,6)),
 'adaptive_avg': (lambda x: F.adaptive_avg_pool2d(x, (3,2)), (1,2,9,8)),
 'channel_shuffle': (lambda x: x.view(1,2,3,4,4).transpose(1,2).reshape(1,6,4,4), (1,6,4,4)),
}
out = sys.argv[1] if len(sys.argv) > 1 else '.'
os.makedirs(out, exist_ok=True)
res = {}
OPS = int(os.environ.get('OPSET', '17'))
for name, (f, shape) in cases.items():
    x = torch.randn(*shape)
    m = f if isinstance(f, nn.Module) else M(f)
    try:
        with torch.no_grad(): y = m(x)
        torch.onnx.export(m, (x,), f'{out}/{name}.onnx', opset_version=OPS, input_names=['x'], output_names=['y'])
        np.save(f'{out}/{name}.x.npy', x.numpy()); np.save(f'{out}/{name}.y.npy', y.numpy().astype(np.float32))
        res[name] = 'ok'
    except Exception as e:
        res[name] = 'export failed: ' + str(e).split('\n')[0][:100]
print(json.dumps(res, indent=0))
