/* Neural-network functions: convolution, pooling, normalisation, activations, losses, attention, sampling. */
#ifndef CTORCH_NN_H
#define CTORCH_NN_H

#include "ctorch_core.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- nn.cpp: layers and activations ---- */
int vf_relu(vf_tensor a, vf_tensor *out);
/** bias may be NULL. */
int vf_linear(vf_tensor x, vf_tensor weight, vf_tensor bias, vf_tensor *out);
/** Convolution over spatial_dims (1, 2 or 3) dimensions; transposed != 0 selects conv_transpose (2 or 3 only).
 *  output_padding is used only when transposed. bias may be NULL. */
int vf_convolution(vf_tensor x, vf_tensor weight, vf_tensor bias, int32_t spatial_dims, int32_t transposed,
                   const int64_t *stride, size_t nstride, const int64_t *padding, size_t npadding,
                   const int64_t *dilation, size_t ndilation, const int64_t *output_padding, size_t noutput_padding,
                   int64_t groups, vf_tensor *out);
/** stride may be empty (then it equals kernel_size). */
int vf_max_pool3d(vf_tensor x, const int64_t *kernel, size_t nkernel, const int64_t *stride, size_t nstride,
                  const int64_t *padding, size_t npadding, const int64_t *dilation, size_t ndilation, int ceil_mode,
                  vf_tensor *out);
/** divisor_override <= 0 means none. */
int vf_avg_pool3d(vf_tensor x, const int64_t *kernel, size_t nkernel, const int64_t *stride, size_t nstride,
                  const int64_t *padding, size_t npadding, int ceil_mode, int count_include_pad,
                  int64_t divisor_override, vf_tensor *out);
int vf_adaptive_avg_pool3d(vf_tensor x, const int64_t *size, size_t nsize, vf_tensor *out);
int vf_adaptive_max_pool3d(vf_tensor x, const int64_t *size, size_t nsize, vf_tensor *out);
/** Any of running_mean, running_var, weight, bias may be NULL. Updates running stats in place when training. */
int vf_batch_norm(vf_tensor x, vf_tensor running_mean, vf_tensor running_var, vf_tensor weight, vf_tensor bias,
                  int training, double momentum, double eps, vf_tensor *out);
int vf_instance_norm(vf_tensor x, vf_tensor running_mean, vf_tensor running_var, vf_tensor weight, vf_tensor bias,
                     int use_input_stats, double momentum, double eps, vf_tensor *out);
int vf_group_norm(vf_tensor x, int64_t groups, vf_tensor weight, vf_tensor bias, double eps, vf_tensor *out);
int vf_layer_norm(vf_tensor x, const int64_t *shape, size_t nshape, vf_tensor weight, vf_tensor bias, double eps,
                  vf_tensor *out);
/** Element dropout as F.dropout (same random stream for the same generator); gen may be NULL. */
int vf_dropout(vf_tensor x, double p, int training, vf_generator gen, vf_tensor *out);
/** Stochastic depth (timm's drop_path): one Bernoulli(1 - p) draw per sample of dim 0. */
int vf_drop_path(vf_tensor x, double p, int training, int scale_by_keep, vf_generator gen, vf_tensor *out);
int vf_leaky_relu(vf_tensor x, double negative_slope, vf_tensor *out);
int vf_prelu(vf_tensor x, vf_tensor weight, vf_tensor *out);
/** approximate: 0 = exact (erf), 1 = tanh. */
int vf_gelu(vf_tensor x, int32_t approximate, vf_tensor *out);
int vf_silu(vf_tensor x, vf_tensor *out);
int vf_softmax(vf_tensor x, int64_t dim, vf_tensor *out);
int vf_log_softmax(vf_tensor x, int64_t dim, vf_tensor *out);
/** mask may be NULL (bool: true = attend; float: added to the scores). has_scale == 0: 1/sqrt(head dim). */
int vf_scaled_dot_product_attention(vf_tensor q, vf_tensor k, vf_tensor v, vf_tensor mask, double dropout_p,
                                    int is_causal, int has_scale, double scale, vf_tensor *out);
/** num_classes < 0: one more than the largest label. */
int vf_one_hot(vf_tensor labels, int64_t num_classes, vf_tensor *out);
int vf_embedding(vf_tensor indices, vf_tensor weight, vf_tensor *out);

/* ---- loss.cpp: losses. reduction: 0 = none, 1 = mean, 2 = sum (at::Reduction). ---- */
/** target: class indices (int) or class probabilities (float, logits' shape). weight may be NULL. */
int vf_cross_entropy(vf_tensor logits, vf_tensor target, vf_tensor weight, int32_t reduction, int64_t ignore_index,
                     double label_smoothing, vf_tensor *out);
int vf_nll_loss(vf_tensor log_probs, vf_tensor target, vf_tensor weight, int32_t reduction, int64_t ignore_index,
                vf_tensor *out);
/** weight and pos_weight may be NULL. */
int vf_binary_cross_entropy_with_logits(vf_tensor logits, vf_tensor target, vf_tensor weight, vf_tensor pos_weight,
                                        int32_t reduction, vf_tensor *out);
int vf_l1_loss(vf_tensor x, vf_tensor target, int32_t reduction, vf_tensor *out);
int vf_mse_loss(vf_tensor x, vf_tensor target, int32_t reduction, vf_tensor *out);
int vf_smooth_l1_loss(vf_tensor x, vf_tensor target, int32_t reduction, double beta, vf_tensor *out);

/* ---- sampling.cpp: resampling ---- */
/** mode: 0 nearest, 1 nearest-exact, 2 linear, 3 bilinear, 4 trilinear, 5 bicubic, 6 area.
 *  Exactly one of size / scales is non-empty. align_corners: -1 = unset, 0, 1.
 *  recompute_scale_factor: -1 = unset, 0, 1. Follows F.interpolate's rules for sizes and scales. */
int vf_interpolate(vf_tensor x, int32_t mode, const int64_t *size, size_t nsize, const double *scales, size_t nscales,
                   int32_t align_corners, int32_t recompute_scale_factor, vf_tensor *out);
/** mode: 0 bilinear, 1 nearest, 2 bicubic; padding: 0 zeros, 1 border, 2 reflection. */
int vf_grid_sample(vf_tensor x, vf_tensor grid, int32_t mode, int32_t padding_mode, int align_corners,
                   vf_tensor *out);
int vf_affine_grid(vf_tensor theta, const int64_t *size, size_t nsize, int align_corners, vf_tensor *out);

#ifdef __cplusplus
}
#endif
#endif
