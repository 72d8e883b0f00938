"""Reference for voxelfm-bench conv-block: conv3d(32->32, 3^3, padding 1) + instance_norm (affine) +
leaky_relu(0.01), forward and backward (input, weight, bias and norm affine grads) on 2x32x64^3, plus the
machine's sgemm rate measured in the same run (2048^3 matmul)."""
import torch
import torch.nn.functional as F

from common import arguments, best, emit

threads, phase, workdir, _ = arguments()
if phase == "setup":
    emit({})
    raise SystemExit
torch.manual_seed(0)
n, c, s = 2, 32, 64
x = torch.randn(n, c, s, s, s, requires_grad=True)
w = (torch.randn(c, c, 3, 3, 3) * 0.05).requires_grad_()
b = torch.zeros(c, requires_grad=True)
g = torch.ones(c, requires_grad=True)
beta = torch.zeros(c, requires_grad=True)


def step():
    for t in (x, w, b, g, beta):
        t.grad = None
    y = F.conv3d(x, w, b, padding=1)
    y = F.instance_norm(y, weight=g, bias=beta, eps=1e-5)
    y = F.leaky_relu(y, 0.01)
    y.sum().backward()


t = best(step, repeats=3)
conv_flop = 2.0 * n * c * s ** 3 * c * 27  # forward multiply-adds x2
flop = 3 * conv_flop  # forward + grad input + grad weight
a = torch.randn(2048, 2048)
bm = torch.randn(2048, 2048)
tm = best(lambda: torch.mm(a, bm), repeats=5)
sgemm = 2.0 * 2048 ** 3 / tm / 1e9
emit({"seconds": t, "conv_gflops": flop / t / 1e9, "sgemm_peak_gflops": sgemm,
      "fraction_of_sgemm_peak": flop / t / 1e9 / sgemm})
