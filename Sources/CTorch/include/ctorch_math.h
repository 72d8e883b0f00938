/* Math: element-wise arithmetic, comparisons, reductions, linear algebra. */
#ifndef CTORCH_MATH_H
#define CTORCH_MATH_H

#include "ctorch_core.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Binary ops with broadcasting. op codes: see vf_binary_op in math.cpp. */
int vf_add(vf_tensor a, vf_tensor b, vf_scalar alpha, vf_tensor *out);
int vf_sub(vf_tensor a, vf_tensor b, vf_scalar alpha, vf_tensor *out);
int vf_mul(vf_tensor a, vf_tensor b, vf_tensor *out);
int vf_div(vf_tensor a, vf_tensor b, vf_tensor *out);
int vf_add_scalar(vf_tensor a, vf_scalar b, vf_tensor *out);
int vf_mul_scalar(vf_tensor a, vf_scalar b, vf_tensor *out);
/* In place. */
int vf_add_(vf_tensor a, vf_tensor b, vf_scalar alpha);
int vf_mul_scalar_(vf_tensor a, vf_scalar b);

/* Reductions. */
int vf_sum_all(vf_tensor a, vf_tensor *out);
int vf_sum(vf_tensor a, const int64_t *dims, size_t ndims, int keepdim, vf_tensor *out);
int vf_mean_all(vf_tensor a, vf_tensor *out);

int vf_matmul(vf_tensor a, vf_tensor b, vf_tensor *out);

#ifdef __cplusplus
}
#endif
#endif
