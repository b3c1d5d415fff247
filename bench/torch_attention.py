#!/usr/bin/env python3
"""PyTorch's fp32 attention at the shapes bench/attention.ts times (TF32 off), for comparison on the GPU
machine: F.scaled_dot_product_attention (whichever backend PyTorch picks for fp32) and the eager math
path (matmul, softmax, matmul), q/k/v as views of one packed projection like wgml's case. CUDA events,
medians of 200 runs after 50 warm-up runs.

    python3 bench/torch_attention.py
"""
import torch
import torch.nn.functional as F

torch.backends.cuda.matmul.allow_tf32 = False
torch.backends.cudnn.allow_tf32 = False
SHAPES = [('bert-base S128', 1, 12, 128, 64, None), ('bert-base S128 pad-mask', 1, 12, 128, 64, 'pad'),
          ('bert-base S128 causal', 1, 12, 128, 64, 'causal'), ('vit-b/16 S197', 1, 12, 197, 64, None),
          ('bert-base B8 S128', 8, 12, 128, 64, None), ('bert-base S512', 1, 12, 512, 64, None)]


def median_us(fn, reps=200, warm=50):
    for _ in range(warm):
        fn()
    torch.cuda.synchronize()
    times = []
    for _ in range(reps):
        a, b = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
        a.record(); fn(); b.record()
        torch.cuda.synchronize()
        times.append(a.elapsed_time(b) * 1000)
    return sorted(times)[len(times) // 2]


def main():
    dev = torch.device('cuda')
    print(torch.__version__, torch.cuda.get_device_name())
    for name, B, H, S, D, mask in SHAPES:
        E = H * D
        x = torch.randn(B, S, 3 * E, device=dev)
        q, k, v = (t.view(B, S, H, D).transpose(1, 2) for t in x.split(E, dim=2))
        m = None
        if mask == 'pad':
            m = torch.zeros(B, 1, 1, S, device=dev)
            m[..., S - S // 4:] = -1e9
        causal = mask == 'causal'
        flop = 4 * B * H * S * S * D
        sdpa = median_us(lambda: F.scaled_dot_product_attention(q, k, v, attn_mask=m, is_causal=causal))
        tri = torch.full((S, S), float('-inf'), device=dev).triu(1)

        def math():
            s = (q @ k.transpose(-1, -2)) / D ** 0.5
            if m is not None:
                s = s + m
            if causal:
                s = s + tri
            return (s.softmax(-1) @ v).transpose(1, 2).reshape(B, S, E)
        eager = median_us(math)
        print(f'{name:26} sdpa {sdpa:8.1f} us {flop / sdpa / 1e6:6.2f} TFLOP/s | eager math {eager:8.1f} us {flop / eager / 1e6:6.2f} TFLOP/s')


if __name__ == '__main__':
    main()
