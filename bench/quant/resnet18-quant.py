"""ResNet-18 (exported by scripts/export_models.py into DIR) quantized by onnxruntime's quantize_static, calibrated on
four random images, uint8 activations and int8 weights per channel, in both formats: DIR/resnet18_q.onnx (QOperator:
QLinearConv plus the com.microsoft ops onnx/qoperator.ts rewrites) and DIR/resnet18_qdq.onnx (QDQ pairs).
Usage: python3 bench/quant/resnet18-quant.py DIR (on the GPU machine, which has onnxruntime's Python package)."""
import sys
import numpy as np
from onnxruntime.quantization import quantize_static, QuantFormat, QuantType, CalibrationDataReader

d = sys.argv[1]


class Images(CalibrationDataReader):
    def __init__(self):
        self.k = 0

    def get_next(self):
        self.k += 1
        return {'input': np.random.default_rng(self.k).standard_normal((1, 3, 224, 224), dtype=np.float32)} if self.k <= 4 else None


for fmt, name in ((QuantFormat.QOperator, 'resnet18_q'), (QuantFormat.QDQ, 'resnet18_qdq')):
    quantize_static(f'{d}/resnet18.onnx', f'{d}/{name}.onnx', Images(), quant_format=fmt,
                    activation_type=QuantType.QUInt8, weight_type=QuantType.QInt8, per_channel=True)
print('quantize_static done')
