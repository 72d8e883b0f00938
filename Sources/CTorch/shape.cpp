// Shape: views, reshaping, joining, indexing.
#include "ctorch_internal.h"

extern "C" {

int vf_reshape(vf_tensor a, const int64_t *shape, size_t ndim, vf_tensor *out) {
  VF_RETURN(at::reshape(vf::T(a), vf::ints(shape, ndim)))
}

}  // extern "C"
