"""PyTorch reference for bench/gemm-kernels.ts: the same GEMM shapes in fp32 (TF32 off, then on),
CUDA-event timing of REPS back-to-back matmuls, median of 7 after warm-up. Prints one line per shape,
`--json FILE` writes them as JSON lines. Run on the GPU machine: python3 bench/gemm_torch.py"""
import json
import sys

import torch

HEADS, DH = 12, 64


def shapes():
    out = []
    for tag, s in (('bert', 128), ('vit', 197)):
        out += [(f'{tag} qkv {s}x768x2304', s, 768, 2304, 1, None), (f'{tag} out-proj {s}x768x768', s, 768, 768, 1, None),
                (f'{tag} ffn-up {s}x768x3072', s, 768, 3072, 1, None), (f'{tag} ffn-down {s}x3072x768', s, 3072, 768, 1, None),
                (f'{tag} attn q.kT 12x[{s}x64x{s}]', s, DH, s, HEADS, 'qk'), (f'{tag} attn p.v 12x[{s}x{s}x64]', s, s, DH, HEADS, 'pv')]
    out += [('decode gemv 1x768x768', 1, 768, 768, 1, None), ('decode gemv 1x768x3072', 1, 768, 3072, 1, None), ('square 4096^3', 4096, 4096, 4096, 1, None)]
    return out


def operands(M, K, N, batch, attn):
    dev = 'cuda'
    if attn == 'qk':  # Q [12, S, 64] and Kᵀ viewed from K [12, S, 64]
        q = torch.randn(HEADS, M, DH, device=dev)
        k = torch.randn(HEADS, N, DH, device=dev)
        return q, k.transpose(1, 2)
    if attn == 'pv':
        return torch.randn(HEADS, M, K, device=dev), torch.randn(HEADS, K, DH, device=dev)
    return torch.randn(M, K, device=dev), torch.randn(K, N, device=dev)


def time_us(a, b, reps):
    for _ in range(3):
        torch.matmul(a, b)
    torch.cuda.synchronize()
    ts = []
    for _ in range(7):
        s, e = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
        s.record()
        for _ in range(reps):
            torch.matmul(a, b)
        e.record()
        torch.cuda.synchronize()
        ts.append(s.elapsed_time(e) * 1000 / reps)
    return sorted(ts)[3]


def main():
    rows = []
    print(torch.cuda.get_device_name(), torch.__version__)
    for name, M, K, N, batch, attn in shapes():
        a, b = operands(M, K, N, batch, attn)
        flop = 2 * M * N * K * batch
        reps = 3 if flop > 1e10 else 20
        row = {'shape': name, 'M': M, 'K': K, 'N': N, 'batch': batch}
        for tf32 in (False, True):
            torch.backends.cuda.matmul.allow_tf32 = tf32
            us = time_us(a, b, reps)
            row['tf32' if tf32 else 'fp32'] = {'us': us, 'tflops': flop / us / 1e6}
        rows.append(row)
        print(f"{name:32} fp32 {row['fp32']['us']:9.1f} us {row['fp32']['tflops']:7.2f} TFLOP/s | tf32 {row['tf32']['us']:9.1f} us {row['tf32']['tflops']:7.2f}")
    if '--json' in sys.argv:
        with open(sys.argv[sys.argv.index('--json') + 1], 'w') as f:
            f.write(''.join(json.dumps(r) + '\n' for r in rows))


if __name__ == '__main__':
    main()
