// Shape: views, reshaping, joining, splitting and padding.
#include "ctorch_internal.h"

#include <cstdlib>
#include <cstring>
#include <new>

namespace {

// Hands a variable number of results to C: a malloc'd handle array. Nothing leaks if wrapping fails
// half-way (the handles made so far are deleted and the array freed before rethrowing).
void hand_out(std::vector<at::Tensor> tensors, vf_tensor **out, size_t *count) {
  const size_t n = tensors.size();
  auto *handles = static_cast<vf_tensor *>(std::malloc((n == 0 ? 1 : n) * sizeof(vf_tensor)));
  if (handles == nullptr) throw std::bad_alloc();
  size_t made = 0;
  try {
    for (; made < n; ++made) handles[made] = vf::wrap(std::move(tensors[made]));
  } catch (...) {
    for (size_t i = 0; i < made; ++i) delete handles[i];
    std::free(handles);
    throw;
  }
  *out = handles;
  *count = n;
}

}  // namespace

extern "C" {

int vf_reshape(vf_tensor a, const int64_t *shape, size_t ndim, vf_tensor *out) {
  VF_RETURN(at::reshape(vf::T(a), vf::ints(shape, ndim)))
}
int vf_view(vf_tensor a, const int64_t *shape, size_t ndim, vf_tensor *out) {
  VF_RETURN(vf::T(a).view(vf::ints(shape, ndim)))
}
int vf_permute(vf_tensor a, const int64_t *dims, size_t ndims, vf_tensor *out) {
  VF_RETURN(vf::T(a).permute(vf::ints(dims, ndims)))
}
int vf_transpose(vf_tensor a, int64_t dim0, int64_t dim1, vf_tensor *out) {
  VF_RETURN(vf::T(a).transpose(dim0, dim1))
}
int vf_flatten(vf_tensor a, int64_t start_dim, int64_t end_dim, vf_tensor *out) {
  VF_RETURN(vf::T(a).flatten(start_dim, end_dim))
}
int vf_unflatten(vf_tensor a, int64_t dim, const int64_t *sizes, size_t nsizes, vf_tensor *out) {
  VF_RETURN(vf::T(a).unflatten(dim, vf::ints(sizes, nsizes)))
}
int vf_squeeze(vf_tensor a, vf_tensor *out) { VF_RETURN(vf::T(a).squeeze()) }
int vf_squeeze_dim(vf_tensor a, int64_t dim, vf_tensor *out) { VF_RETURN(vf::T(a).squeeze(dim)) }
int vf_unsqueeze(vf_tensor a, int64_t dim, vf_tensor *out) { VF_RETURN(vf::T(a).unsqueeze(dim)) }
int vf_expand(vf_tensor a, const int64_t *shape, size_t ndim, vf_tensor *out) {
  VF_RETURN(vf::T(a).expand(vf::ints(shape, ndim)))
}
int vf_repeat(vf_tensor a, const int64_t *repeats, size_t n, vf_tensor *out) {
  VF_RETURN(vf::T(a).repeat(vf::ints(repeats, n)))
}
int vf_flip(vf_tensor a, const int64_t *dims, size_t ndims, vf_tensor *out) {
  VF_RETURN(at::flip(vf::T(a), vf::ints(dims, ndims)))
}
int vf_roll(vf_tensor a, const int64_t *shifts, size_t nshifts, const int64_t *dims, size_t ndims, vf_tensor *out) {
  VF_RETURN(at::roll(vf::T(a), vf::ints(shifts, nshifts), vf::ints(dims, ndims)))
}
int vf_narrow(vf_tensor a, int64_t dim, int64_t start, int64_t length, vf_tensor *out) {
  VF_RETURN(vf::T(a).narrow(dim, start, length))
}
int vf_select(vf_tensor a, int64_t dim, int64_t index, vf_tensor *out) { VF_RETURN(vf::T(a).select(dim, index)) }
int vf_slice(vf_tensor a, int64_t dim, int has_start, int64_t start, int has_end, int64_t end, int64_t step,
             vf_tensor *out) {
  VF_RETURN(vf::T(a).slice(dim, has_start ? std::optional<int64_t>(start) : std::nullopt,
                           has_end ? std::optional<int64_t>(end) : std::nullopt, step))
}

int vf_cat(const vf_tensor *tensors, size_t n, int64_t dim, vf_tensor *out) {
  VF_RETURN(at::cat(vf::tensors(tensors, n), dim))
}
int vf_stack(const vf_tensor *tensors, size_t n, int64_t dim, vf_tensor *out) {
  VF_RETURN(at::stack(vf::tensors(tensors, n), dim))
}
int vf_split(vf_tensor a, int64_t split_size, int64_t dim, vf_tensor **out, size_t *count) {
  VF_TRY(hand_out(vf::T(a).split(split_size, dim), out, count))
}
int vf_split_sizes(vf_tensor a, const int64_t *sizes, size_t nsizes, int64_t dim, vf_tensor **out, size_t *count) {
  VF_TRY(hand_out(vf::T(a).split_with_sizes(vf::ints(sizes, nsizes), dim), out, count))
}
int vf_chunk(vf_tensor a, int64_t chunks, int64_t dim, vf_tensor **out, size_t *count) {
  VF_TRY(hand_out(vf::T(a).chunk(chunks, dim), out, count))
}
void vf_free_handle_array(vf_tensor *handles) { std::free(handles); }

int vf_pad(vf_tensor a, const int64_t *pad, size_t npad, const char *mode, double value, vf_tensor *out) {
  VF_TRY({
    const std::string name = mode == nullptr ? "constant" : mode;
    // Non-constant modes reject any fill value, even an explicit 0, so pass none unless it matters.
    std::optional<double> fill;
    if (name == "constant" || value != 0) fill = value;
    *out = vf::wrap(at::pad(vf::T(a), vf::ints(pad, npad), name, fill));
  })
}

}  // extern "C"
