// Losses, as torch.nn.functional computes them.
#include "ctorch_internal.h"

namespace {

void check_reduction(int32_t reduction) {
  TORCH_CHECK(reduction >= 0 && reduction <= 2, "unknown reduction code ", reduction);
}

// Class-index targets are range-checked up front: on CUDA the kernels would hit a device-side assert
// (which poisons the context) instead of raising an error.
void check_class_targets(const at::Tensor &input, const at::Tensor &target, int64_t ignore_index) {
  if (at::isFloatingType(target.scalar_type())) return;
  TORCH_CHECK(target.scalar_type() != at::kBool, "class targets must be integers, got Bool");
  TORCH_CHECK(input.dim() >= 1, "loss input must have a class dimension, got a 0-dimensional tensor");
  if (target.numel() == 0) return;
  const int64_t classes = input.dim() == 1 ? input.size(0) : input.size(1);
  const auto counted = target.ne(ignore_index);
  const auto bad = counted.logical_and(target.lt(0).logical_or(target.ge(classes)));
  if (bad.any().item<bool>()) {
    const auto offending = target.masked_select(bad).flatten()[0].item<int64_t>();
    TORCH_CHECK(false, "Target ", offending, " is out of bounds for ", classes, " classes");
  }
}

void check_same_shape(const at::Tensor &input, const at::Tensor &target, const char *what) {
  // PyTorch only warns here and broadcasts; a broadcast loss is nearly always a bug, so it is an error.
  TORCH_CHECK(input.sizes() == target.sizes(), what, ": target size ", target.sizes(),
              " must be the same as input size ", input.sizes());
}

}  // namespace

extern "C" {

int vf_cross_entropy(vf_tensor logits, vf_tensor target, vf_tensor weight, int32_t reduction, int64_t ignore_index,
                     double label_smoothing, vf_tensor *out) {
  VF_TRY({
    check_reduction(reduction);
    TORCH_CHECK(label_smoothing >= 0 && label_smoothing <= 1, "label_smoothing must be between 0.0 and 1.0, got ",
                label_smoothing);
    check_class_targets(vf::T(logits), vf::T(target), ignore_index);
    *out = vf::wrap(at::cross_entropy_loss(vf::T(logits), vf::T(target), vf::opt(weight), reduction, ignore_index,
                                           label_smoothing));
  })
}

int vf_nll_loss(vf_tensor log_probs, vf_tensor target, vf_tensor weight, int32_t reduction, int64_t ignore_index,
                vf_tensor *out) {
  VF_TRY({
    check_reduction(reduction);
    TORCH_CHECK(!at::isFloatingType(vf::T(target).scalar_type()), "nll_loss expects class-index (integer) targets");
    check_class_targets(vf::T(log_probs), vf::T(target), ignore_index);
    *out = vf::wrap(at::nll_loss_nd(vf::T(log_probs), vf::T(target), vf::opt(weight), reduction, ignore_index));
  })
}

int vf_binary_cross_entropy_with_logits(vf_tensor logits, vf_tensor target, vf_tensor weight, vf_tensor pos_weight,
                                        int32_t reduction, vf_tensor *out) {
  VF_TRY({
    check_reduction(reduction);
    // F.binary_cross_entropy_with_logits raises on differing sizes.
    check_same_shape(vf::T(logits), vf::T(target), "binary_cross_entropy_with_logits");
    *out = vf::wrap(at::binary_cross_entropy_with_logits(vf::T(logits), vf::T(target), vf::opt(weight),
                                                         vf::opt(pos_weight), reduction));
  })
}

int vf_l1_loss(vf_tensor x, vf_tensor target, int32_t reduction, vf_tensor *out) {
  VF_TRY({
    check_reduction(reduction);
    check_same_shape(vf::T(x), vf::T(target), "l1_loss");
    *out = vf::wrap(at::l1_loss(vf::T(x), vf::T(target), reduction));
  })
}

int vf_mse_loss(vf_tensor x, vf_tensor target, int32_t reduction, vf_tensor *out) {
  VF_TRY({
    check_reduction(reduction);
    check_same_shape(vf::T(x), vf::T(target), "mse_loss");
    *out = vf::wrap(at::mse_loss(vf::T(x), vf::T(target), reduction));
  })
}

int vf_smooth_l1_loss(vf_tensor x, vf_tensor target, int32_t reduction, double beta, vf_tensor *out) {
  VF_TRY({
    check_reduction(reduction);
    TORCH_CHECK(beta >= 0, "smooth_l1_loss does not support negative values for beta, got ", beta);
    check_same_shape(vf::T(x), vf::T(target), "smooth_l1_loss");
    *out = vf::wrap(at::smooth_l1_loss(vf::T(x), vf::T(target), reduction, beta));
  })
}

}  // extern "C"
