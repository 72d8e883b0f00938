// Initialisers: torch.nn.init's composite in-place fills, under no-grad as Python runs them.
#include "ctorch_internal.h"

#include <c10/core/GradMode.h>

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

}  // extern "C"
