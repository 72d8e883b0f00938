/* Shape: views, reshaping, joining, padding (shape.cpp) and indexing (indexing.cpp). */
#ifndef CTORCH_SHAPE_H
#define CTORCH_SHAPE_H

#include "ctorch_core.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- views and reshaping (shape.cpp) ---- */
int vf_reshape(vf_tensor a, const int64_t *shape, size_t ndim, vf_tensor *out);
/** a.view(shape): always a view; fails when the strides do not allow one. */
int vf_view(vf_tensor a, const int64_t *shape, size_t ndim, vf_tensor *out);
int vf_permute(vf_tensor a, const int64_t *dims, size_t ndims, vf_tensor *out);
int vf_transpose(vf_tensor a, int64_t dim0, int64_t dim1, vf_tensor *out);
int vf_flatten(vf_tensor a, int64_t start_dim, int64_t end_dim, vf_tensor *out);
int vf_unflatten(vf_tensor a, int64_t dim, const int64_t *sizes, size_t nsizes, vf_tensor *out);
/** Removes every size-1 dimension. */
int vf_squeeze(vf_tensor a, vf_tensor *out);
int vf_squeeze_dim(vf_tensor a, int64_t dim, vf_tensor *out);
int vf_unsqueeze(vf_tensor a, int64_t dim, vf_tensor *out);
int vf_expand(vf_tensor a, const int64_t *shape, size_t ndim, vf_tensor *out);
int vf_repeat(vf_tensor a, const int64_t *repeats, size_t n, vf_tensor *out);
int vf_flip(vf_tensor a, const int64_t *dims, size_t ndims, vf_tensor *out);
int vf_roll(vf_tensor a, const int64_t *shifts, size_t nshifts, const int64_t *dims, size_t ndims, vf_tensor *out);
int vf_narrow(vf_tensor a, int64_t dim, int64_t start, int64_t length, vf_tensor *out);
int vf_select(vf_tensor a, int64_t dim, int64_t index, vf_tensor *out);
/** a[start:end:step] along dim; has_start / has_end = 0 mean "from the beginning" / "to the end". */
int vf_slice(vf_tensor a, int64_t dim, int has_start, int64_t start, int has_end, int64_t end, int64_t step,
             vf_tensor *out);

/* ---- joining and splitting (shape.cpp) ---- */
int vf_cat(const vf_tensor *tensors, size_t n, int64_t dim, vf_tensor *out);
int vf_stack(const vf_tensor *tensors, size_t n, int64_t dim, vf_tensor *out);
/** Ops with a data-dependent number of results write a malloc'd array of *count new handles to *out.
 *  The caller owns each handle (vf_tensor_free) and releases the array itself with
 *  vf_free_handle_array. On failure nothing is allocated and *out is left untouched. */
int vf_split(vf_tensor a, int64_t split_size, int64_t dim, vf_tensor **out, size_t *count);
int vf_split_sizes(vf_tensor a, const int64_t *sizes, size_t nsizes, int64_t dim, vf_tensor **out, size_t *count);
int vf_chunk(vf_tensor a, int64_t chunks, int64_t dim, vf_tensor **out, size_t *count);
/** Frees an array returned by vf_split / vf_chunk (not the handles in it). */
void vf_free_handle_array(vf_tensor *handles);

/* ---- padding (shape.cpp) ---- */
/** torch.nn.functional.pad: pad lists (before, after) pairs, last dimension first; mode is
 *  "constant", "reflect", "replicate" or "circular"; value is used by "constant" only. */
int vf_pad(vf_tensor a, const int64_t *pad, size_t npad, const char *mode, double value, vf_tensor *out);

/* ---- indexing (indexing.cpp) ---- */
int vf_index_select(vf_tensor a, int64_t dim, vf_tensor index, vf_tensor *out);
int vf_gather(vf_tensor a, int64_t dim, vf_tensor index, vf_tensor *out);
int vf_scatter(vf_tensor a, int64_t dim, vf_tensor index, vf_tensor src, vf_tensor *out);
int vf_scatter_value(vf_tensor a, int64_t dim, vf_tensor index, vf_scalar value, vf_tensor *out);
int vf_scatter_add(vf_tensor a, int64_t dim, vf_tensor index, vf_tensor src, vf_tensor *out);
int vf_masked_fill(vf_tensor a, vf_tensor mask, vf_scalar value, vf_tensor *out);
int vf_masked_fill_(vf_tensor a, vf_tensor mask, vf_scalar value);
int vf_masked_select(vf_tensor a, vf_tensor mask, vf_tensor *out);
/** a[mask] = values (boolean mask; values broadcast to the selected elements), in place. */
int vf_index_put_mask_(vf_tensor a, vf_tensor mask, vf_tensor values);

#ifdef __cplusplus
}
#endif
#endif
