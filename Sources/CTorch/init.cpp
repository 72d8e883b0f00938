// Initialisers: torch.nn.init's composite in-place fills, under no-grad as Python runs them.
#include "ctorch_internal.h"

#include <c10/core/GradMode.h>

#include <algorithm>
#include <cmath>

extern "C" {

int vf_init_trunc_normal_(vf_tensor t, double mean, double std, double a, double b, vf_generator gen) {
  VF_TRY({
    c10::AutoGradMode no_grad(false);
    auto &x = vf::T(t);
    // Same steps and same generator draws as torch/nn/init.py _no_grad_trunc_normal_.
    auto norm_cdf = [](double v) { return (1. + std::erf(v / std::sqrt(2.))) / 2.; };
    const double l = norm_cdf((a - mean) / std);
    const double u = norm_cdf((b - mean) / std);
    x.uniform_(2 * l - 1, 2 * u - 1, vf::gen(gen));
    x.erfinv_();
    x.mul_(std * std::sqrt(2.));
    x.add_(mean);
    x.clamp_(a, b);
  })
}

int vf_init_trunc_normal_rejection_(vf_tensor t, double mean, double std, double a, double b, vf_generator gen) {
  VF_TRY({
    c10::AutoGradMode no_grad(false);
    auto &x = vf::T(t);
    auto g = vf::gen(gen);
    // Same steps and same generator draws as torch 2.13's torch/nn/init.py _no_grad_trunc_normal_.
    auto norm_cdf = [](double v) { return (1. + std::erf(v / std::sqrt(2.))) / 2.; };
    const double p = norm_cdf((b - mean) / std) - norm_cdf((a - mean) / std);
    if (p > 0.3) {
      // Plain rejection of normal draws; the bounds rounded to the tensor's dtype, as Python does.
      const double lo = at::scalar_tensor(a, x.options().device(at::kCPU)).item<double>();
      const double hi = at::scalar_tensor(b, x.options().device(at::kCPU)).item<double>();
      at::Tensor result = x.normal_(mean, std, g);
      while (true) {
        at::Tensor mask = at::logical_or(result < lo, result > hi);
        if (!mask.any().item<bool>()) break;
        result = at::where(mask, at::empty_like(result).normal_(mean, std, g), result);
      }
      if (!result.is_same(x)) x.copy_(result);
    } else {
      // Uniform proposals on [a, b] accepted with probability pdf / pdf(mode).
      const double mode = std::max(a, std::min(mean, b));
      const double log_peak = -0.5 * std::pow((mode - mean) / std, 2);
      at::Tensor candidates = at::empty_like(x);
      at::Tensor accept = at::empty_like(x);
      x.uniform_(a, b, g);
      candidates.copy_(x);
      candidates.sub_(mean).div_(std).pow_(2).mul_(-0.5).sub_(log_peak);
      at::Tensor pending = accept.uniform_(0, 1, g).log_().gt(candidates);
      if (pending.any().item<bool>()) {
        at::Tensor result = x;
        while (true) {
          candidates.uniform_(a, b, g);
          result = at::where(pending, candidates, result);
          candidates.sub_(mean).div_(std).pow_(2).mul_(-0.5).sub_(log_peak);
          pending = at::where(pending, accept.uniform_(0, 1, g).log_().gt(candidates), pending);
          if (!pending.any().item<bool>()) break;
        }
        x.copy_(result);
      }
    }
  })
}

}  // extern "C"
