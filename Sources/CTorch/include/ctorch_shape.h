/* Shape: views, reshaping, joining, indexing. */
#ifndef CTORCH_SHAPE_H
#define CTORCH_SHAPE_H

#include "ctorch_core.h"

#ifdef __cplusplus
extern "C" {
#endif

int vf_reshape(vf_tensor a, const int64_t *shape, size_t ndim, vf_tensor *out);

#ifdef __cplusplus
}
#endif
#endif
