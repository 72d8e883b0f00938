// Errors, runtime facts, tensor lifetime, properties, creation and conversion.
#include "ctorch_internal.h"

#include <ATen/Parallel.h>
#include <ATen/Version.h>
#include <ATen/CPUGeneratorImpl.h>
#include <ATen/Context.h>
#include <c10/core/DeviceType.h>
#include <torch/headeronly/version.h>

#include <dlfcn.h>

#include <cstdlib>
#include <cstring>
#include <regex>

static_assert(static_cast<int>(at::ScalarType::Byte) == 0 && static_cast<int>(at::ScalarType::Long) == 4 &&
                  static_cast<int>(at::ScalarType::Float) == 6 && static_cast<int>(at::ScalarType::Bool) == 11 &&
                  static_cast<int>(at::ScalarType::BFloat16) == 15 &&
                  static_cast<int>(at::ScalarType::Float8_e4m3fn) == 24 &&
                  static_cast<int>(at::ScalarType::UInt64) == 29,
              "c10::ScalarType codes changed; update DType.scalarTypeCode");

namespace {
thread_local std::string last_error;

char *dup_string(const std::string &s) {
  char *p = static_cast<char *>(std::malloc(s.size() + 1));
  if (p == nullptr) throw std::bad_alloc();
  std::memcpy(p, s.c_str(), s.size() + 1);
  return p;
}
}  // namespace

void vf::set_error(const char *message) { last_error = message ? message : ""; }

extern "C" {

const char *vf_last_error(void) { return last_error.c_str(); }

const char *vf_compiled_torch_version(void) { return TORCH_VERSION; }

int vf_runtime_torch_version(char **out) {
  // show_config's build settings carry TORCH_VERSION=x.y.z of the library actually loaded.
  VF_TRY({
    std::string config = at::show_config();
    std::smatch m;
    std::regex re("TORCH_VERSION=([0-9A-Za-z.+_-]+)");
    *out = dup_string(std::regex_search(config, m, re) ? m[1].str() : std::string());
  })
}

int vf_runtime_config(char **out) { VF_TRY(*out = dup_string(at::show_config())) }

void vf_string_free(char *s) { std::free(s); }

int vf_library_path(char **out) {
  VF_TRY({
    Dl_info info{};
    // Any function defined in libtorch_cpu identifies the file it was loaded from.
    auto symbol = reinterpret_cast<void *>(&at::show_config);
    *out = dup_string(dladdr(symbol, &info) != 0 && info.dli_fname ? info.dli_fname : "");
  })
}

int vf_cuda_is_available(void) {
  try {
    return at::hasCUDA() ? 1 : 0;
  } catch (...) {
    return 0;
  }
}

int vf_cuda_device_count(void) {
  try {
    return at::hasCUDA() ? static_cast<int>(at::getNumGPUs()) : 0;
  } catch (...) {
    return 0;
  }
}

int vf_get_num_threads(void) { return at::get_num_threads(); }

int vf_set_num_threads(int32_t n) { VF_TRY(at::set_num_threads(n)) }

int vf_manual_seed(uint64_t seed) { VF_TRY(at::manual_seed(seed)) }

int vf_generator_new(uint64_t seed, vf_generator *out) {
  VF_TRY(*out = new vf_generator_s{at::make_generator<at::CPUGeneratorImpl>(seed)})
}

void vf_generator_free(vf_generator g) { delete g; }

int vf_generator_get_state(vf_generator g, vf_tensor *out) { VF_RETURN(g->g.get_state()) }

int vf_generator_set_state(vf_generator g, vf_tensor state) { VF_TRY(g->g.set_state(vf::T(state))) }

void vf_tensor_free(vf_tensor t) { delete t; }

int vf_tensor_alias(vf_tensor t, vf_tensor *out) { VF_RETURN(vf::T(t)) }

int64_t vf_tensor_dim(vf_tensor t) { return vf::T(t).dim(); }

void vf_tensor_sizes(vf_tensor t, int64_t *out) {
  auto s = vf::T(t).sizes();
  std::copy(s.begin(), s.end(), out);
}

void vf_tensor_strides(vf_tensor t, int64_t *out) {
  auto s = vf::T(t).strides();
  std::copy(s.begin(), s.end(), out);
}

int64_t vf_tensor_numel(vf_tensor t) { return vf::T(t).numel(); }

int64_t vf_tensor_storage_offset(vf_tensor t) { return vf::T(t).storage_offset(); }

int32_t vf_tensor_dtype(vf_tensor t) { return static_cast<int32_t>(vf::T(t).scalar_type()); }

void vf_tensor_device(vf_tensor t, int32_t *type, int32_t *index) {
  auto d = vf::T(t).device();
  *type = d.is_cuda() ? 1 : 0;
  *index = d.has_index() ? d.index() : -1;
}

int vf_tensor_is_contiguous(vf_tensor t) { return vf::T(t).is_contiguous() ? 1 : 0; }

int vf_tensor_defined(vf_tensor t) { return vf::T(t).defined() ? 1 : 0; }

const void *vf_tensor_data_ptr(vf_tensor t) { return vf::T(t).storage().data(); }

int vf_empty(const int64_t *shape, size_t ndim, int32_t dtype, int32_t dt, int32_t di, vf_tensor *out) {
  VF_RETURN(at::empty(vf::ints(shape, ndim), vf::options(dtype, dt, di)))
}

int vf_zeros(const int64_t *shape, size_t ndim, int32_t dtype, int32_t dt, int32_t di, vf_tensor *out) {
  VF_RETURN(at::zeros(vf::ints(shape, ndim), vf::options(dtype, dt, di)))
}

int vf_ones(const int64_t *shape, size_t ndim, int32_t dtype, int32_t dt, int32_t di, vf_tensor *out) {
  VF_RETURN(at::ones(vf::ints(shape, ndim), vf::options(dtype, dt, di)))
}

int vf_full(const int64_t *shape, size_t ndim, vf_scalar value, int32_t dtype, int32_t dt, int32_t di, vf_tensor *out) {
  VF_RETURN(at::full(vf::ints(shape, ndim), vf::scalar(value), vf::options(dtype, dt, di)))
}

int vf_arange(vf_scalar start, vf_scalar end, vf_scalar step, int32_t dtype, int32_t dt, int32_t di, vf_tensor *out) {
  VF_RETURN(at::arange(vf::scalar(start), vf::scalar(end), vf::scalar(step), vf::options(dtype, dt, di)))
}

int vf_linspace(double start, double end, int64_t steps, int32_t dtype, int32_t dt, int32_t di, vf_tensor *out) {
  VF_RETURN(at::linspace(start, end, steps, vf::options(dtype, dt, di)))
}

int vf_eye(int64_t n, int64_t m, int32_t dtype, int32_t dt, int32_t di, vf_tensor *out) {
  VF_RETURN(at::eye(n, m, vf::options(dtype, dt, di)))
}

int vf_rand(const int64_t *shape, size_t ndim, vf_generator g, int32_t dtype, int32_t dt, int32_t di, vf_tensor *out) {
  VF_RETURN(at::rand(vf::ints(shape, ndim), vf::gen(g), vf::options(dtype, dt, di)))
}

int vf_randn(const int64_t *shape, size_t ndim, vf_generator g, int32_t dtype, int32_t dt, int32_t di, vf_tensor *out) {
  VF_RETURN(at::randn(vf::ints(shape, ndim), vf::gen(g), vf::options(dtype, dt, di)))
}

int vf_randint(int64_t low, int64_t high, const int64_t *shape, size_t ndim, vf_generator g, int32_t dtype, int32_t dt,
               int32_t di, vf_tensor *out) {
  VF_RETURN(at::randint(low, high, vf::ints(shape, ndim), vf::gen(g), vf::options(dtype, dt, di)))
}

int vf_randperm(int64_t n, vf_generator g, int32_t dtype, vf_tensor *out) {
  VF_RETURN(at::randperm(n, vf::gen(g), at::TensorOptions().dtype(static_cast<at::ScalarType>(dtype))))
}

int vf_uniform_(vf_tensor t, double low, double high, vf_generator g) { VF_TRY(vf::T(t).uniform_(low, high, vf::gen(g))) }

int vf_normal_(vf_tensor t, double mean, double std, vf_generator g) { VF_TRY(vf::T(t).normal_(mean, std, vf::gen(g))) }

int vf_bernoulli(vf_tensor t, double p, vf_generator g, vf_tensor *out) { VF_RETURN(at::bernoulli(vf::T(t), p, vf::gen(g))) }

int vf_from_data(const void *data, const int64_t *shape, const int64_t *strides, size_t ndim, int32_t dtype,
                 vf_tensor *out) {
  VF_TRY({
    auto opts = at::TensorOptions().dtype(static_cast<at::ScalarType>(dtype));
    auto view = strides ? at::from_blob(const_cast<void *>(data), vf::ints(shape, ndim), vf::ints(strides, ndim), opts)
                        : at::from_blob(const_cast<void *>(data), vf::ints(shape, ndim), opts);
    // A dense copy: expanded (stride 0) or transposed inputs become ordinary row-major tensors.
    *out = vf::wrap(view.is_contiguous() ? view.clone() : view.contiguous());
  })
}

int vf_from_blob(void *data, const int64_t *shape, const int64_t *strides, size_t ndim, int32_t dtype, void *ctx,
                 void (*release)(void *), vf_tensor *out) {
  VF_TRY({
    auto opts = at::TensorOptions().dtype(static_cast<at::ScalarType>(dtype));
    auto deleter = [ctx, release](void *) { release(ctx); };
    auto t = strides ? at::from_blob(data, vf::ints(shape, ndim), vf::ints(strides, ndim), deleter, opts)
                     : at::from_blob(data, vf::ints(shape, ndim), deleter, opts);
    *out = vf::wrap(std::move(t));
  })
}

int vf_copy_to_host(vf_tensor t, void *dst, size_t nbytes) {
  VF_TRY({
    auto src = vf::T(t).detach().to(at::kCPU).contiguous();
    size_t need = static_cast<size_t>(src.numel()) * src.element_size();
    TORCH_CHECK(need == nbytes, "copy_to_host: tensor holds ", need, " bytes but the destination has ", nbytes);
    if (need > 0) std::memcpy(dst, src.data_ptr(), need);
  })
}

int vf_item_double(vf_tensor t, double *out) { VF_TRY(*out = vf::T(t).item<double>()) }

int vf_item_int(vf_tensor t, int64_t *out) { VF_TRY(*out = vf::T(t).item<int64_t>()) }

int vf_to(vf_tensor t, int32_t dtype, int32_t dt, int32_t di, int copy, vf_tensor *out) {
  VF_RETURN(vf::T(t).to(vf::device(dt, di), static_cast<at::ScalarType>(dtype), /*non_blocking=*/false, copy != 0))
}

int vf_contiguous(vf_tensor t, vf_tensor *out) { VF_RETURN(vf::T(t).contiguous()) }

int vf_clone(vf_tensor t, vf_tensor *out) { VF_RETURN(vf::T(t).clone()) }

int vf_copy_(vf_tensor dst, vf_tensor src) { VF_TRY(vf::T(dst).copy_(vf::T(src))) }

int vf_tensor_to_string(vf_tensor t, char **out) {
  VF_TRY({
    std::ostringstream s;
    s << vf::T(t);
    *out = dup_string(s.str());
  })
}

}  // extern "C"
