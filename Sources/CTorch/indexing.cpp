// Indexing: gather/scatter, index_select, boolean-mask reads and writes.
#include "ctorch_internal.h"

extern "C" {

int vf_index_select(vf_tensor a, int64_t dim, vf_tensor index, vf_tensor *out) {
  VF_RETURN(at::index_select(vf::T(a), dim, vf::T(index)))
}
int vf_gather(vf_tensor a, int64_t dim, vf_tensor index, vf_tensor *out) {
  VF_RETURN(at::gather(vf::T(a), dim, vf::T(index)))
}
int vf_scatter(vf_tensor a, int64_t dim, vf_tensor index, vf_tensor src, vf_tensor *out) {
  VF_RETURN(at::scatter(vf::T(a), dim, vf::T(index), vf::T(src)))
}
int vf_scatter_value(vf_tensor a, int64_t dim, vf_tensor index, vf_scalar value, vf_tensor *out) {
  VF_RETURN(at::scatter(vf::T(a), dim, vf::T(index), vf::scalar(value)))
}
int vf_scatter_add(vf_tensor a, int64_t dim, vf_tensor index, vf_tensor src, vf_tensor *out) {
  VF_RETURN(at::scatter_add(vf::T(a), dim, vf::T(index), vf::T(src)))
}
int vf_masked_fill(vf_tensor a, vf_tensor mask, vf_scalar value, vf_tensor *out) {
  VF_RETURN(at::masked_fill(vf::T(a), vf::T(mask), vf::scalar(value)))
}
int vf_masked_fill_(vf_tensor a, vf_tensor mask, vf_scalar value) {
  VF_TRY(vf::T(a).masked_fill_(vf::T(mask), vf::scalar(value)))
}
int vf_masked_select(vf_tensor a, vf_tensor mask, vf_tensor *out) {
  VF_RETURN(at::masked_select(vf::T(a), vf::T(mask)))
}
int vf_index_put_mask_(vf_tensor a, vf_tensor mask, vf_tensor values) {
  VF_TRY({
    // Only boolean masks are accepted here: an integer tensor would silently mean index lists.
    TORCH_CHECK(vf::T(mask).scalar_type() == at::kBool, "indexPut_ expects a boolean mask, got ",
                vf::T(mask).scalar_type());
    c10::List<std::optional<at::Tensor>> indices;
    indices.push_back(vf::T(mask));
    vf::T(a).index_put_(indices, vf::T(values));
  })
}

}  // extern "C"
