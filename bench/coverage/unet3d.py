import sys, torch, torch.nn as nn
torch.manual_seed(0)
def block(i, o):
    return nn.Sequential(nn.Conv3d(i, o, 3, padding=1), nn.BatchNorm3d(o), nn.ReLU(), nn.Conv3d(o, o, 3, padding=1), nn.BatchNorm3d(o), nn.ReLU())
class UNet3d(nn.Module):
    def __init__(s):
        super().__init__()
        s.e1 = block(1, 4); s.e2 = block(4, 8); s.b = block(8, 16)
        s.p = nn.MaxPool3d(2)
        s.u2 = nn.ConvTranspose3d(16, 8, 2, stride=2); s.d2 = block(16, 8)
        s.u1 = nn.ConvTranspose3d(8, 4, 2, stride=2); s.d1 = block(8, 4)
        s.out = nn.Conv3d(4, 2, 1)
    def forward(s, x):
        e1 = s.e1(x); e2 = s.e2(s.p(e1)); b = s.b(s.p(e2))
        d2 = s.d2(torch.cat([s.u2(b), e2], 1)); d1 = s.d1(torch.cat([s.u1(d2), e1], 1))
        return s.out(d1)
m = UNet3d()
# Non-trivial BN statistics so folding is exercised.
for mod in m.modules():
    if isinstance(mod, nn.BatchNorm3d):
        mod.running_mean.uniform_(-0.2, 0.2); mod.running_var.uniform_(0.5, 1.5)
        mod.weight.data.uniform_(0.5, 1.5); mod.bias.data.uniform_(-0.2, 0.2)
m.eval()
x = torch.randn(1, 1, 8, 16, 16)
torch.onnx.export(m, x, sys.argv[1] if len(sys.argv) > 1 else '/tmp/wgml-coverage/unet3d.onnx', input_names=['input'], output_names=['output'], opset_version=17)
print('ok')
