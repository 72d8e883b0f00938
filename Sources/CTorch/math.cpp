// Math: element-wise arithmetic, pointwise functions, comparisons, clamp/where, linear algebra.
#include "ctorch_internal.h"

#include <ATen/core/grad_mode.h>
#include <ATen/ops/add_cpu_dispatch.h>
#include <ATen/ops/div_cpu_dispatch.h>
#include <ATen/ops/mul_cpu_dispatch.h>
#include <ATen/ops/sub_cpu_dispatch.h>

#include <stdexcept>

namespace {

// Small-tensor code (optimizer loops, schedules, metrics) is dominated by the dispatcher, not the
// arithmetic. When no autograd record is needed and both operands are dense CPU tensors, the CPU
// kernels are called directly: same kernels, same type promotion and broadcasting, about 15% less
// per-op cost. Anything else (CUDA, gradients, sparse) goes through the dispatcher as usual.
bool direct_cpu(const at::Tensor &a, const at::Tensor &b) {
  return a.device().is_cpu() && b.device().is_cpu() && a.layout() == at::kStrided && b.layout() == at::kStrided &&
         !(at::GradMode::is_enabled() && (a.requires_grad() || b.requires_grad()));
}

at::Tensor direct_add(const at::Tensor &a, const at::Tensor &b, const at::Scalar &alpha = 1) {
  return direct_cpu(a, b) ? at::cpu::add(a, b, alpha) : at::add(a, b, alpha);
}
at::Tensor direct_sub(const at::Tensor &a, const at::Tensor &b, const at::Scalar &alpha = 1) {
  return direct_cpu(a, b) ? at::cpu::sub(a, b, alpha) : at::sub(a, b, alpha);
}
at::Tensor direct_mul(const at::Tensor &a, const at::Tensor &b) { return direct_cpu(a, b) ? at::cpu::mul(a, b) : at::mul(a, b); }
at::Tensor direct_div(const at::Tensor &a, const at::Tensor &b) { return direct_cpu(a, b) ? at::cpu::div(a, b) : at::div(a, b); }

at::Tensor binary(vf_binary_op op, const at::Tensor &a, const at::Tensor &b) {
  switch (op) {
    case VF_BINARY_ADD: return direct_add(a, b);
    case VF_BINARY_SUB: return direct_sub(a, b);
    case VF_BINARY_MUL: return direct_mul(a, b);
    case VF_BINARY_DIV: return direct_div(a, b);
    case VF_BINARY_POW: return at::pow(a, b);
    case VF_BINARY_MAXIMUM: return at::maximum(a, b);
    case VF_BINARY_MINIMUM: return at::minimum(a, b);
    case VF_BINARY_EQ: return at::eq(a, b);
    case VF_BINARY_NE: return at::ne(a, b);
    case VF_BINARY_LT: return at::lt(a, b);
    case VF_BINARY_LE: return at::le(a, b);
    case VF_BINARY_GT: return at::gt(a, b);
    case VF_BINARY_GE: return at::ge(a, b);
    case VF_BINARY_LOGICAL_AND: return at::logical_and(a, b);
    case VF_BINARY_LOGICAL_OR: return at::logical_or(a, b);
  }
  throw std::invalid_argument("unknown binary op code");
}

at::Tensor binary_scalar(vf_scalar_op op, const at::Tensor &a, const at::Scalar &s) {
  switch (op) {
    case VF_SCALAR_ADD: return at::add(a, s);
    case VF_SCALAR_SUB: return at::sub(a, s);
    case VF_SCALAR_MUL: return at::mul(a, s);
    case VF_SCALAR_DIV: return at::div(a, s);
    case VF_SCALAR_POW: return at::pow(a, s);
    case VF_SCALAR_RSUB: return at::rsub(a, s);
    // Python's scalar / tensor: reciprocal promotes ints to the default float type, then scales.
    case VF_SCALAR_RDIV: return at::mul(at::reciprocal(a), s);
    case VF_SCALAR_RPOW: return at::pow(s, a);
    case VF_SCALAR_EQ: return at::eq(a, s);
    case VF_SCALAR_NE: return at::ne(a, s);
    case VF_SCALAR_LT: return at::lt(a, s);
    case VF_SCALAR_LE: return at::le(a, s);
    case VF_SCALAR_GT: return at::gt(a, s);
    case VF_SCALAR_GE: return at::ge(a, s);
  }
  throw std::invalid_argument("unknown scalar op code");
}

at::Tensor unary(vf_unary_op op, const at::Tensor &a) {
  switch (op) {
    case VF_UNARY_ABS: return at::abs(a);
    case VF_UNARY_EXP: return at::exp(a);
    case VF_UNARY_LOG: return at::log(a);
    case VF_UNARY_LOG1P: return at::log1p(a);
    case VF_UNARY_SQRT: return at::sqrt(a);
    case VF_UNARY_RSQRT: return at::rsqrt(a);
    case VF_UNARY_TANH: return at::tanh(a);
    case VF_UNARY_SIGMOID: return at::sigmoid(a);
    case VF_UNARY_SIN: return at::sin(a);
    case VF_UNARY_COS: return at::cos(a);
    case VF_UNARY_FLOOR: return at::floor(a);
    case VF_UNARY_CEIL: return at::ceil(a);
    case VF_UNARY_ROUND: return at::round(a);
    case VF_UNARY_SIGN: return at::sign(a);
    case VF_UNARY_NEG: return at::neg(a);
    case VF_UNARY_RECIPROCAL: return at::reciprocal(a);
    case VF_UNARY_ERF: return at::erf(a);
    case VF_UNARY_ERFINV: return at::erfinv(a);
    case VF_UNARY_SQUARE: return at::square(a);
    case VF_UNARY_LOGICAL_NOT: return at::logical_not(a);
    case VF_UNARY_ISNAN: return at::isnan(a);
    case VF_UNARY_ISINF: return at::isinf(a);
    case VF_UNARY_ISFINITE: return at::isfinite(a);
  }
  throw std::invalid_argument("unknown unary op code");
}

void inplace(vf_inplace_op op, at::Tensor &a, const at::Tensor &b, const at::Scalar &alpha) {
  switch (op) {
    case VF_INPLACE_ADD: a.add_(b, alpha); return;
    case VF_INPLACE_SUB: a.sub_(b, alpha); return;
    case VF_INPLACE_MUL: a.mul_(b); return;
    case VF_INPLACE_DIV: a.div_(b); return;
    case VF_INPLACE_POW: a.pow_(b); return;
  }
  throw std::invalid_argument("unknown in-place op code");
}

void inplace_scalar(vf_inplace_op op, at::Tensor &a, const at::Scalar &s) {
  switch (op) {
    case VF_INPLACE_ADD: a.add_(s); return;
    case VF_INPLACE_SUB: a.sub_(s); return;
    case VF_INPLACE_MUL: a.mul_(s); return;
    case VF_INPLACE_DIV: a.div_(s); return;
    case VF_INPLACE_POW: a.pow_(s); return;
  }
  throw std::invalid_argument("unknown in-place op code");
}

std::optional<at::Scalar> bound(int has, vf_scalar s) {
  if (has == 0) return std::nullopt;
  return vf::scalar(s);
}

}  // namespace

extern "C" {

int vf_add(vf_tensor a, vf_tensor b, vf_scalar alpha, vf_tensor *out) { VF_RETURN(direct_add(vf::T(a), vf::T(b), vf::scalar(alpha))) }
int vf_sub(vf_tensor a, vf_tensor b, vf_scalar alpha, vf_tensor *out) { VF_RETURN(direct_sub(vf::T(a), vf::T(b), vf::scalar(alpha))) }
int vf_mul(vf_tensor a, vf_tensor b, vf_tensor *out) { VF_RETURN(direct_mul(vf::T(a), vf::T(b))) }
int vf_div(vf_tensor a, vf_tensor b, vf_tensor *out) { VF_RETURN(direct_div(vf::T(a), vf::T(b))) }
int vf_add_scalar(vf_tensor a, vf_scalar b, vf_tensor *out) { VF_RETURN(at::add(vf::T(a), vf::scalar(b))) }
int vf_mul_scalar(vf_tensor a, vf_scalar b, vf_tensor *out) { VF_RETURN(at::mul(vf::T(a), vf::scalar(b))) }
int vf_add_(vf_tensor a, vf_tensor b, vf_scalar alpha) { VF_TRY(vf::T(a).add_(vf::T(b), vf::scalar(alpha))) }
int vf_mul_scalar_(vf_tensor a, vf_scalar b) { VF_TRY(vf::T(a).mul_(vf::scalar(b))) }

int vf_binary(vf_binary_op op, vf_tensor a, vf_tensor b, vf_tensor *out) { VF_RETURN(binary(op, vf::T(a), vf::T(b))) }
int vf_binary_scalar(vf_scalar_op op, vf_tensor a, vf_scalar b, vf_tensor *out) {
  VF_RETURN(binary_scalar(op, vf::T(a), vf::scalar(b)))
}
int vf_unary(vf_unary_op op, vf_tensor a, vf_tensor *out) { VF_RETURN(unary(op, vf::T(a))) }
int vf_binary_(vf_inplace_op op, vf_tensor a, vf_tensor b, vf_scalar alpha) {
  VF_TRY(inplace(op, vf::T(a), vf::T(b), vf::scalar(alpha)))
}
int vf_binary_scalar_(vf_inplace_op op, vf_tensor a, vf_scalar b) { VF_TRY(inplace_scalar(op, vf::T(a), vf::scalar(b))) }
int vf_addcmul_(vf_tensor a, vf_tensor t1, vf_tensor t2, vf_scalar value) {
  VF_TRY(vf::T(a).addcmul_(vf::T(t1), vf::T(t2), vf::scalar(value)))
}
int vf_addcdiv_(vf_tensor a, vf_tensor t1, vf_tensor t2, vf_scalar value) {
  VF_TRY(vf::T(a).addcdiv_(vf::T(t1), vf::T(t2), vf::scalar(value)))
}
int vf_lerp_(vf_tensor a, vf_tensor end, vf_scalar weight) { VF_TRY(vf::T(a).lerp_(vf::T(end), vf::scalar(weight))) }
int vf_fill_(vf_tensor a, vf_scalar value) { VF_TRY(vf::T(a).fill_(vf::scalar(value))) }
int vf_zero_(vf_tensor a) { VF_TRY(vf::T(a).zero_()) }
int vf_sqrt_(vf_tensor a) { VF_TRY(vf::T(a).sqrt_()) }

int vf_clamp(vf_tensor a, int has_min, vf_scalar min, int has_max, vf_scalar max, vf_tensor *out) {
  VF_RETURN(at::clamp(vf::T(a), bound(has_min, min), bound(has_max, max)))
}
int vf_clamp_(vf_tensor a, int has_min, vf_scalar min, int has_max, vf_scalar max) {
  VF_TRY(vf::T(a).clamp_(bound(has_min, min), bound(has_max, max)))
}
int vf_clamp_tensor(vf_tensor a, vf_tensor min, vf_tensor max, vf_tensor *out) {
  VF_RETURN(at::clamp(vf::T(a), vf::opt(min), vf::opt(max)))
}
int vf_where(vf_tensor condition, vf_tensor x, vf_tensor y, vf_tensor *out) {
  VF_RETURN(at::where(vf::T(condition), vf::T(x), vf::T(y)))
}

int vf_matmul(vf_tensor a, vf_tensor b, vf_tensor *out) { VF_RETURN(at::matmul(vf::T(a), vf::T(b))) }
int vf_mm(vf_tensor a, vf_tensor b, vf_tensor *out) { VF_RETURN(at::mm(vf::T(a), vf::T(b))) }
int vf_bmm(vf_tensor a, vf_tensor b, vf_tensor *out) { VF_RETURN(at::bmm(vf::T(a), vf::T(b))) }
int vf_einsum(const char *equation, const vf_tensor *operands, size_t n, vf_tensor *out) {
  VF_RETURN(at::einsum(equation, vf::tensors(operands, n)))
}

}  // extern "C"
