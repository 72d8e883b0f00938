// Autocast: torch.autocast's enter/exit over at::autocast's thread-local state.
#include "ctorch_internal.h"

#include <ATen/autocast_mode.h>

namespace {

at::DeviceType autocast_device(int32_t dev_type) {
  TORCH_CHECK(dev_type == 0 || dev_type == 1, "autocast: unknown device type code ", dev_type);
  return dev_type == 1 ? at::kCUDA : at::kCPU;
}

}  // namespace

extern "C" {

int vf_autocast_enter(int32_t dev_type, int32_t enabled, int32_t dtype, vf_autocast_state *previous) {
  VF_TRY({
    const auto device = autocast_device(dev_type);
    const auto scalar = static_cast<at::ScalarType>(dtype);
    // libtorch does not check the dtype (Python's torch.autocast does): anything else would make
    // autocast cast to a type its kernels were never meant for.
    TORCH_CHECK(enabled == 0 || scalar == at::kBFloat16 || scalar == at::kHalf,
                "autocast: the low-precision dtype must be bfloat16 or float16, not ", scalar);
    previous->enabled = at::autocast::is_autocast_enabled(device) ? 1 : 0;
    previous->dtype = static_cast<int32_t>(at::autocast::get_autocast_dtype(device));
    at::autocast::set_autocast_enabled(device, enabled != 0);
    if (enabled != 0 && scalar != at::autocast::get_autocast_dtype(device)) {
      // The cast cache is keyed by the weight alone, not by dtype: a region with another dtype would be
      // handed the outer region's copies (torch.autocast 2.13 fails there with "mat1 and mat2 must
      // have the same dtype"). Recasting is correct, only slower.
      at::autocast::clear_cache();
      at::autocast::set_autocast_dtype(device, scalar);
    }
    at::autocast::increment_nesting();
  })
}

int vf_autocast_exit(int32_t dev_type, vf_autocast_state previous) {
  VF_TRY({
    const auto device = autocast_device(dev_type);
    // The cast cache holds bfloat16/float16 copies of the float32 weights; it lives only as long as
    // the outermost region, as in torch.autocast.
    const auto restored = static_cast<at::ScalarType>(previous.dtype);
    const bool outermost = at::autocast::decrement_nesting() == 0;
    // Dropped also when the dtype changes back, for the reason given in vf_autocast_enter.
    if (outermost || restored != at::autocast::get_autocast_dtype(device)) at::autocast::clear_cache();
    at::autocast::set_autocast_enabled(device, previous.enabled != 0);
    at::autocast::set_autocast_dtype(device, restored);
  })
}

int vf_autocast_get(int32_t dev_type, vf_autocast_state *out) {
  VF_TRY({
    const auto device = autocast_device(dev_type);
    out->enabled = at::autocast::is_autocast_enabled(device) ? 1 : 0;
    out->dtype = static_cast<int32_t>(at::autocast::get_autocast_dtype(device));
  })
}

}  // extern "C"
