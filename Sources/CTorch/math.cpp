// Math: element-wise arithmetic, comparisons, reductions, linear algebra.
#include "ctorch_internal.h"

extern "C" {

int vf_add(vf_tensor a, vf_tensor b, vf_scalar alpha, vf_tensor *out) { VF_RETURN(at::add(vf::T(a), vf::T(b), vf::scalar(alpha))) }
int vf_sub(vf_tensor a, vf_tensor b, vf_scalar alpha, vf_tensor *out) { VF_RETURN(at::sub(vf::T(a), vf::T(b), vf::scalar(alpha))) }
int vf_mul(vf_tensor a, vf_tensor b, vf_tensor *out) { VF_RETURN(at::mul(vf::T(a), vf::T(b))) }
int vf_div(vf_tensor a, vf_tensor b, vf_tensor *out) { VF_RETURN(at::div(vf::T(a), vf::T(b))) }
int vf_add_scalar(vf_tensor a, vf_scalar b, vf_tensor *out) { VF_RETURN(at::add(vf::T(a), vf::scalar(b))) }
int vf_mul_scalar(vf_tensor a, vf_scalar b, vf_tensor *out) { VF_RETURN(at::mul(vf::T(a), vf::scalar(b))) }
int vf_add_(vf_tensor a, vf_tensor b, vf_scalar alpha) { VF_TRY(vf::T(a).add_(vf::T(b), vf::scalar(alpha))) }
int vf_mul_scalar_(vf_tensor a, vf_scalar b) { VF_TRY(vf::T(a).mul_(vf::scalar(b))) }

int vf_sum_all(vf_tensor a, vf_tensor *out) { VF_RETURN(at::sum(vf::T(a))) }
int vf_sum(vf_tensor a, const int64_t *dims, size_t ndims, int keepdim, vf_tensor *out) {
  VF_RETURN(at::sum(vf::T(a), vf::ints(dims, ndims), keepdim != 0))
}
int vf_mean_all(vf_tensor a, vf_tensor *out) { VF_RETURN(at::mean(vf::T(a))) }

int vf_matmul(vf_tensor a, vf_tensor b, vf_tensor *out) { VF_RETURN(at::matmul(vf::T(a), vf::T(b))) }

}  // extern "C"
