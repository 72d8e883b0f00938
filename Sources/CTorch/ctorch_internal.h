// Private C++ helpers shared by the shim's .cpp files: handle conversion, error capture, argument views.
#pragma once

#include <ATen/ATen.h>
#include <c10/util/Exception.h>

#include <exception>
#include <optional>
#include <string>
#include <vector>

#include "include/ctorch.h"

struct vf_tensor_s {
  at::Tensor t;
};
struct vf_generator_s {
  at::Generator g;
};

namespace vf {

void set_error(const char *message);

inline at::Tensor &T(vf_tensor h) { return h->t; }

inline vf_tensor wrap(at::Tensor t) { return new vf_tensor_s{std::move(t)}; }

inline at::IntArrayRef ints(const int64_t *data, size_t n) { return at::IntArrayRef(data, n); }

inline std::optional<at::Generator> gen(vf_generator g) {
  if (g == nullptr) return std::nullopt;
  return g->g;
}

inline at::Scalar scalar(vf_scalar s) {
  switch (s.kind) {
    case 1: return at::Scalar(s.i);
    case 2: return at::Scalar(s.i != 0);
    default: return at::Scalar(s.f);
  }
}

inline at::TensorOptions options(int32_t dtype, int32_t dev_type, int32_t dev_index) {
  auto device = dev_type == 1 ? at::Device(at::kCUDA, static_cast<c10::DeviceIndex>(dev_index < 0 ? 0 : dev_index))
                              : at::Device(at::kCPU);
  return at::TensorOptions().dtype(static_cast<at::ScalarType>(dtype)).device(device);
}

inline at::Device device(int32_t dev_type, int32_t dev_index) {
  return dev_type == 1 ? at::Device(at::kCUDA, static_cast<c10::DeviceIndex>(dev_index < 0 ? 0 : dev_index))
                       : at::Device(at::kCPU);
}

/// Optional tensor argument: a NULL handle means "none".
inline std::optional<at::Tensor> opt(vf_tensor h) {
  if (h == nullptr) return std::nullopt;
  return h->t;
}

inline std::vector<at::Tensor> tensors(const vf_tensor *hs, size_t n) {
  std::vector<at::Tensor> v;
  v.reserve(n);
  for (size_t i = 0; i < n; ++i) v.push_back(hs[i]->t);
  return v;
}

}  // namespace vf

// Runs the body; converts any exception into a status and a per-thread message.
#define VF_TRY(...)                                          \
  try {                                                      \
    __VA_ARGS__;                                             \
    return 0;                                                \
  } catch (const c10::Error &e) {                            \
    vf::set_error(e.what_without_backtrace());               \
    return 1;                                                \
  } catch (const std::exception &e) {                        \
    vf::set_error(e.what());                                 \
    return 1;                                                \
  } catch (...) {                                            \
    vf::set_error("unknown C++ exception in libtorch");      \
    return 1;                                                \
  }

// Most ops: compute one tensor and hand out a new handle.
#define VF_RETURN(expr) VF_TRY(*out = vf::wrap(expr))
