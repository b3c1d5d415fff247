#!/usr/bin/env python3
"""The first output of an ONNX model on onnxruntime (CPU) for the input sin(0.37*i), as raw float32: the
reference bench/recording-check.ts compares both recording modes against.  python3 bench/ort_reference.py MODEL.onnx OUT.f32"""
import sys, numpy as np, onnxruntime as ort
m, out = sys.argv[1], sys.argv[2]
s = ort.InferenceSession(m, providers=['CPUExecutionProvider'])
i = s.get_inputs()[0]
shape = [d if isinstance(d, int) else 1 for d in i.shape]
x = np.sin(np.arange(int(np.prod(shape)), dtype=np.float64) * 0.37).astype(np.float32).reshape(shape)
y = s.run(None, {i.name: x})[0].astype(np.float32)
y.tofile(out); print(m, 'ref', y.shape, float(np.abs(y).max()))
