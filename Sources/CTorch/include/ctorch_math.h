/* Math: element-wise arithmetic, pointwise functions, comparisons, reductions, linear algebra,
 * sorting and search. Ops that share a signature are selected by an op code (the enums below) so the
 * interface stays small; every function follows ctorch.h's rules (int status, outputs through pointers). */
#ifndef CTORCH_MATH_H
#define CTORCH_MATH_H

#include "ctorch_core.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Binary ops with broadcasting. */
int vf_add(vf_tensor a, vf_tensor b, vf_scalar alpha, vf_tensor *out);
int vf_sub(vf_tensor a, vf_tensor b, vf_scalar alpha, vf_tensor *out);
int vf_mul(vf_tensor a, vf_tensor b, vf_tensor *out);
int vf_div(vf_tensor a, vf_tensor b, vf_tensor *out);
int vf_add_scalar(vf_tensor a, vf_scalar b, vf_tensor *out);
int vf_mul_scalar(vf_tensor a, vf_scalar b, vf_tensor *out);
/* In place. */
int vf_add_(vf_tensor a, vf_tensor b, vf_scalar alpha);
int vf_mul_scalar_(vf_tensor a, vf_scalar b);

/** Tensor-tensor ops (broadcasting, PyTorch type promotion). Comparisons and logical ops give bool. */
typedef enum {
  VF_BINARY_ADD = 0,
  VF_BINARY_SUB,
  VF_BINARY_MUL,
  VF_BINARY_DIV,
  VF_BINARY_POW,
  VF_BINARY_MAXIMUM,
  VF_BINARY_MINIMUM,
  VF_BINARY_EQ,
  VF_BINARY_NE,
  VF_BINARY_LT,
  VF_BINARY_LE,
  VF_BINARY_GT,
  VF_BINARY_GE,
  VF_BINARY_LOGICAL_AND,
  VF_BINARY_LOGICAL_OR,
} vf_binary_op;

/** Tensor-scalar ops; the R* codes put the scalar on the left (scalar - a, scalar / a, scalar ** a). */
typedef enum {
  VF_SCALAR_ADD = 0,
  VF_SCALAR_SUB,
  VF_SCALAR_MUL,
  VF_SCALAR_DIV,
  VF_SCALAR_POW,
  VF_SCALAR_RSUB,
  VF_SCALAR_RDIV,
  VF_SCALAR_RPOW,
  VF_SCALAR_EQ,
  VF_SCALAR_NE,
  VF_SCALAR_LT,
  VF_SCALAR_LE,
  VF_SCALAR_GT,
  VF_SCALAR_GE,
} vf_scalar_op;

/** Element-wise functions of one tensor. */
typedef enum {
  VF_UNARY_ABS = 0,
  VF_UNARY_EXP,
  VF_UNARY_LOG,
  VF_UNARY_LOG1P,
  VF_UNARY_SQRT,
  VF_UNARY_RSQRT,
  VF_UNARY_TANH,
  VF_UNARY_SIGMOID,
  VF_UNARY_SIN,
  VF_UNARY_COS,
  VF_UNARY_FLOOR,
  VF_UNARY_CEIL,
  VF_UNARY_ROUND,
  VF_UNARY_SIGN,
  VF_UNARY_NEG,
  VF_UNARY_RECIPROCAL,
  VF_UNARY_ERF,
  VF_UNARY_ERFINV,
  VF_UNARY_SQUARE,
  VF_UNARY_LOGICAL_NOT,
  VF_UNARY_ISNAN,
  VF_UNARY_ISINF,
  VF_UNARY_ISFINITE,
} vf_unary_op;

/** In-place ops: a op= b (alpha scales b for ADD and SUB, ignored otherwise). */
typedef enum {
  VF_INPLACE_ADD = 0,
  VF_INPLACE_SUB,
  VF_INPLACE_MUL,
  VF_INPLACE_DIV,
  VF_INPLACE_POW,
} vf_inplace_op;

int vf_binary(vf_binary_op op, vf_tensor a, vf_tensor b, vf_tensor *out);
int vf_binary_scalar(vf_scalar_op op, vf_tensor a, vf_scalar b, vf_tensor *out);
int vf_unary(vf_unary_op op, vf_tensor a, vf_tensor *out);
int vf_binary_(vf_inplace_op op, vf_tensor a, vf_tensor b, vf_scalar alpha);
/** a op= scalar (ADD, SUB, MUL, DIV). */
int vf_binary_scalar_(vf_inplace_op op, vf_tensor a, vf_scalar b);
int vf_addcmul_(vf_tensor a, vf_tensor t1, vf_tensor t2, vf_scalar value);
int vf_addcdiv_(vf_tensor a, vf_tensor t1, vf_tensor t2, vf_scalar value);
int vf_lerp_(vf_tensor a, vf_tensor end, vf_scalar weight);
int vf_fill_(vf_tensor a, vf_scalar value);
int vf_zero_(vf_tensor a);
int vf_sqrt_(vf_tensor a);
/** Bounds are used only where has_min / has_max is non-zero. */
int vf_clamp(vf_tensor a, int has_min, vf_scalar min, int has_max, vf_scalar max, vf_tensor *out);
int vf_clamp_(vf_tensor a, int has_min, vf_scalar min, int has_max, vf_scalar max);
/** Tensor bounds; NULL means unbounded on that side. */
int vf_clamp_tensor(vf_tensor a, vf_tensor min, vf_tensor max, vf_tensor *out);
int vf_where(vf_tensor condition, vf_tensor x, vf_tensor y, vf_tensor *out);

/* Linear algebra. */
int vf_matmul(vf_tensor a, vf_tensor b, vf_tensor *out);
int vf_mm(vf_tensor a, vf_tensor b, vf_tensor *out);
int vf_bmm(vf_tensor a, vf_tensor b, vf_tensor *out);
int vf_einsum(const char *equation, const vf_tensor *operands, size_t n, vf_tensor *out);

/* ---- reductions (reduction.cpp) ---- */
int vf_sum_all(vf_tensor a, vf_tensor *out);
int vf_sum(vf_tensor a, const int64_t *dims, size_t ndims, int keepdim, vf_tensor *out);
int vf_mean_all(vf_tensor a, vf_tensor *out);

/** Reductions over every element to a 0-d tensor. */
typedef enum {
  VF_REDUCE_SUM = 0,
  VF_REDUCE_MEAN,
  VF_REDUCE_MAX,
  VF_REDUCE_MIN,
  VF_REDUCE_PROD,
  VF_REDUCE_ALL,
  VF_REDUCE_ANY,
} vf_reduce_all_op;

/** Reductions over a list of dims. */
typedef enum {
  VF_REDUCE_DIMS_SUM = 0,
  VF_REDUCE_DIMS_MEAN,
  VF_REDUCE_DIMS_AMAX,
  VF_REDUCE_DIMS_AMIN,
  VF_REDUCE_DIMS_LOGSUMEXP,
} vf_reduce_dims_op;

int vf_reduce_all(vf_reduce_all_op op, vf_tensor a, vf_tensor *out);
int vf_reduce_dims(vf_reduce_dims_op op, vf_tensor a, const int64_t *dims, size_t ndims, int keepdim, vf_tensor *out);
/** out[0] = values, out[1] = int64 indices; is_max selects max over min. */
int vf_max_min_dim(int is_max, vf_tensor a, int64_t dim, int keepdim, vf_tensor *out);
/** Index of the largest (is_max) or smallest element; over the flattened tensor when has_dim is 0. */
int vf_argmax_argmin(int is_max, vf_tensor a, int has_dim, int64_t dim, int keepdim, vf_tensor *out);
/** Variance (is_std 0) or standard deviation; over all dims when has_dims is 0. */
int vf_var_std(int is_std, vf_tensor a, int has_dims, const int64_t *dims, size_t ndims, int64_t correction,
               int keepdim, vf_tensor *out);
/** Vector p-norm (linalg.vector_norm); over all dims when has_dims is 0. */
int vf_norm(vf_tensor a, double p, int has_dims, const int64_t *dims, size_t ndims, int keepdim, vf_tensor *out);
int vf_allclose(vf_tensor a, vf_tensor b, double rtol, double atol, int *out);
int vf_equal(vf_tensor a, vf_tensor b, int *out);

/* ---- sorting and search (reduction.cpp) ---- */
/** out[0] = values, out[1] = indices. */
int vf_topk(vf_tensor a, int64_t k, int64_t dim, int largest, int sorted, vf_tensor *out);
int vf_sort(vf_tensor a, int64_t dim, int descending, int stable, vf_tensor *out);
int vf_argsort(vf_tensor a, int64_t dim, int descending, int stable, vf_tensor *out);
int vf_cumsum(vf_tensor a, int64_t dim, vf_tensor *out);
/** [n, rank] int64 coordinates of the non-zero elements. */
int vf_nonzero(vf_tensor a, vf_tensor *out);
/** at::_unique2 with inverse and counts: out[0] = values, out[1] = inverse indices, out[2] = counts. */
int vf_unique(vf_tensor a, int sorted, vf_tensor *out);

#ifdef __cplusplus
}
#endif
#endif
