// Reductions, whole-tensor comparisons, sorting and search.
#include "ctorch_internal.h"

#include <stdexcept>
#include <tuple>

namespace {

at::Tensor reduce_all(vf_reduce_all_op op, const at::Tensor &a) {
  switch (op) {
    case VF_REDUCE_SUM: return at::sum(a);
    case VF_REDUCE_MEAN: return at::mean(a);
    case VF_REDUCE_MAX: return at::max(a);
    case VF_REDUCE_MIN: return at::min(a);
    case VF_REDUCE_PROD: return at::prod(a);
    case VF_REDUCE_ALL: return at::all(a);
    case VF_REDUCE_ANY: return at::any(a);
  }
  throw std::invalid_argument("unknown reduction op code");
}

at::Tensor reduce_dims(vf_reduce_dims_op op, const at::Tensor &a, at::IntArrayRef dims, bool keepdim) {
  switch (op) {
    case VF_REDUCE_DIMS_SUM: return at::sum(a, dims, keepdim);
    case VF_REDUCE_DIMS_MEAN: return at::mean(a, dims, keepdim);
    case VF_REDUCE_DIMS_AMAX: return at::amax(a, dims, keepdim);
    case VF_REDUCE_DIMS_AMIN: return at::amin(a, dims, keepdim);
    case VF_REDUCE_DIMS_LOGSUMEXP: return at::logsumexp(a, dims, keepdim);
  }
  throw std::invalid_argument("unknown reduction op code");
}

at::OptionalIntArrayRef opt_dims(int has_dims, const int64_t *dims, size_t ndims) {
  if (has_dims == 0) return std::nullopt;
  return vf::ints(dims, ndims);
}

void put2(const std::tuple<at::Tensor, at::Tensor> &pair, vf_tensor *out) {
  out[0] = vf::wrap(std::get<0>(pair));
  out[1] = vf::wrap(std::get<1>(pair));
}

}  // namespace

extern "C" {

int vf_sum_all(vf_tensor a, vf_tensor *out) { VF_RETURN(at::sum(vf::T(a))) }
int vf_sum(vf_tensor a, const int64_t *dims, size_t ndims, int keepdim, vf_tensor *out) {
  VF_RETURN(at::sum(vf::T(a), vf::ints(dims, ndims), keepdim != 0))
}
int vf_mean_all(vf_tensor a, vf_tensor *out) { VF_RETURN(at::mean(vf::T(a))) }

int vf_reduce_all(vf_reduce_all_op op, vf_tensor a, vf_tensor *out) { VF_RETURN(reduce_all(op, vf::T(a))) }

int vf_reduce_dims(vf_reduce_dims_op op, vf_tensor a, const int64_t *dims, size_t ndims, int keepdim, vf_tensor *out) {
  VF_RETURN(reduce_dims(op, vf::T(a), vf::ints(dims, ndims), keepdim != 0))
}

int vf_max_min_dim(int is_max, vf_tensor a, int64_t dim, int keepdim, vf_tensor *out) {
  VF_TRY(put2(is_max != 0 ? at::max(vf::T(a), dim, keepdim != 0) : at::min(vf::T(a), dim, keepdim != 0), out))
}

int vf_argmax_argmin(int is_max, vf_tensor a, int has_dim, int64_t dim, int keepdim, vf_tensor *out) {
  std::optional<int64_t> d = has_dim != 0 ? std::optional<int64_t>(dim) : std::nullopt;
  VF_RETURN(is_max != 0 ? at::argmax(vf::T(a), d, keepdim != 0) : at::argmin(vf::T(a), d, keepdim != 0))
}

int vf_var_std(int is_std, vf_tensor a, int has_dims, const int64_t *dims, size_t ndims, int64_t correction,
               int keepdim, vf_tensor *out) {
  auto d = opt_dims(has_dims, dims, ndims);
  at::Scalar c(correction);
  VF_RETURN(is_std != 0 ? at::std(vf::T(a), d, c, keepdim != 0) : at::var(vf::T(a), d, c, keepdim != 0))
}

int vf_norm(vf_tensor a, double p, int has_dims, const int64_t *dims, size_t ndims, int keepdim, vf_tensor *out) {
  VF_RETURN(at::linalg_vector_norm(vf::T(a), at::Scalar(p), opt_dims(has_dims, dims, ndims), keepdim != 0))
}

int vf_allclose(vf_tensor a, vf_tensor b, double rtol, double atol, int *out) {
  VF_TRY(*out = at::allclose(vf::T(a), vf::T(b), rtol, atol) ? 1 : 0)
}

int vf_equal(vf_tensor a, vf_tensor b, int *out) { VF_TRY(*out = at::equal(vf::T(a), vf::T(b)) ? 1 : 0) }

int vf_topk(vf_tensor a, int64_t k, int64_t dim, int largest, int sorted, vf_tensor *out) {
  VF_TRY(put2(at::topk(vf::T(a), k, dim, largest != 0, sorted != 0), out))
}

int vf_sort(vf_tensor a, int64_t dim, int descending, int stable, vf_tensor *out) {
  VF_TRY(put2(at::sort(vf::T(a), std::optional<bool>(stable != 0), dim, descending != 0), out))
}

int vf_argsort(vf_tensor a, int64_t dim, int descending, int stable, vf_tensor *out) {
  VF_RETURN(at::argsort(vf::T(a), stable != 0, dim, descending != 0))
}

int vf_cumsum(vf_tensor a, int64_t dim, vf_tensor *out) { VF_RETURN(at::cumsum(vf::T(a), dim)) }

int vf_nonzero(vf_tensor a, vf_tensor *out) { VF_RETURN(at::nonzero(vf::T(a))) }

int vf_unique(vf_tensor a, int sorted, vf_tensor *out) {
  VF_TRY({
    auto result = at::_unique2(vf::T(a), sorted != 0, /*return_inverse=*/true, /*return_counts=*/true);
    out[0] = vf::wrap(std::get<0>(result));
    out[1] = vf::wrap(std::get<1>(result));
    out[2] = vf::wrap(std::get<2>(result));
  })
}

}  // extern "C"
