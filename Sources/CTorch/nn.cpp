// Neural-network functions: convolution, pooling, normalisation, activations, attention, embedding.
#include "ctorch_internal.h"

#include <cmath>

namespace {

// PyTorch accepts a single int for a per-dimension argument and repeats it; the Swift side does the same
// with one-element lists, expanded here so ATen's own length checks report anything else.
std::vector<int64_t> expand(const int64_t *data, size_t n, int64_t dims) {
  if (n == 1) return std::vector<int64_t>(static_cast<size_t>(dims), data[0]);
  return std::vector<int64_t>(data, data + n);
}

at::Tensor convolution(const at::Tensor &x, const at::Tensor &w, const std::optional<at::Tensor> &b, int32_t dims,
                       bool transposed, at::IntArrayRef stride, at::IntArrayRef padding, at::IntArrayRef dilation,
                       at::IntArrayRef output_padding, int64_t groups) {
  TORCH_CHECK(groups > 0, "groups must be a positive integer, got ", groups);
  if (transposed) {
    switch (dims) {
      case 1: return at::conv_transpose1d(x, w, b, stride, padding, output_padding, groups, dilation);
      case 2: return at::conv_transpose2d(x, w, b, stride, padding, output_padding, groups, dilation);
      case 3: return at::conv_transpose3d(x, w, b, stride, padding, output_padding, groups, dilation);
      default: break;
    }
  } else {
    switch (dims) {
      case 1: return at::conv1d(x, w, b, stride, padding, dilation, groups);
      case 2: return at::conv2d(x, w, b, stride, padding, dilation, groups);
      case 3: return at::conv3d(x, w, b, stride, padding, dilation, groups);
      default: break;
    }
  }
  TORCH_CHECK(false, "convolution over ", dims, " spatial dimensions is not supported");
}

}  // namespace

extern "C" {

int vf_relu(vf_tensor a, vf_tensor *out) { VF_RETURN(at::relu(vf::T(a))) }

int vf_linear(vf_tensor x, vf_tensor weight, vf_tensor bias, vf_tensor *out) {
  VF_RETURN(at::linear(vf::T(x), vf::T(weight), vf::opt(bias)))
}

int vf_convolution(vf_tensor x, vf_tensor weight, vf_tensor bias, int32_t spatial_dims, int32_t transposed,
                   const int64_t *stride, size_t nstride, const int64_t *padding, size_t npadding,
                   const int64_t *dilation, size_t ndilation, const int64_t *output_padding, size_t noutput_padding,
                   int64_t groups, vf_tensor *out) {
  VF_TRY({
    const auto s = expand(stride, nstride, spatial_dims);
    const auto p = expand(padding, npadding, spatial_dims);
    const auto d = expand(dilation, ndilation, spatial_dims);
    const auto op = expand(output_padding, noutput_padding, spatial_dims);
    *out = vf::wrap(convolution(vf::T(x), vf::T(weight), vf::opt(bias), spatial_dims, transposed != 0, s, p, d, op,
                                groups));
  })
}

int vf_max_pool3d(vf_tensor x, const int64_t *kernel, size_t nkernel, const int64_t *stride, size_t nstride,
                  const int64_t *padding, size_t npadding, const int64_t *dilation, size_t ndilation, int ceil_mode,
                  vf_tensor *out) {
  VF_RETURN(at::max_pool3d(vf::T(x), vf::ints(kernel, nkernel), vf::ints(stride, nstride), vf::ints(padding, npadding),
                           vf::ints(dilation, ndilation), ceil_mode != 0))
}

int vf_avg_pool3d(vf_tensor x, const int64_t *kernel, size_t nkernel, const int64_t *stride, size_t nstride,
                  const int64_t *padding, size_t npadding, int ceil_mode, int count_include_pad,
                  int64_t divisor_override, vf_tensor *out) {
  VF_TRY({
    std::optional<int64_t> divisor;
    if (divisor_override > 0) divisor = divisor_override;
    *out = vf::wrap(at::avg_pool3d(vf::T(x), vf::ints(kernel, nkernel), vf::ints(stride, nstride),
                                   vf::ints(padding, npadding), ceil_mode != 0, count_include_pad != 0, divisor));
  })
}

int vf_adaptive_avg_pool3d(vf_tensor x, const int64_t *size, size_t nsize, vf_tensor *out) {
  VF_RETURN(at::adaptive_avg_pool3d(vf::T(x), expand(size, nsize, 3)))
}

int vf_adaptive_max_pool3d(vf_tensor x, const int64_t *size, size_t nsize, vf_tensor *out) {
  VF_RETURN(std::get<0>(at::adaptive_max_pool3d(vf::T(x), expand(size, nsize, 3))))
}

int vf_batch_norm(vf_tensor x, vf_tensor running_mean, vf_tensor running_var, vf_tensor weight, vf_tensor bias,
                  int training, double momentum, double eps, vf_tensor *out) {
  VF_TRY({
    const auto &input = vf::T(x);
    // F.batch_norm refuses a batch with one value per channel in training (the variance is undefined).
    if (training != 0 && input.dim() >= 2) {
      int64_t per_channel = input.size(0);
      for (int64_t i = 2; i < input.dim(); ++i) per_channel *= input.size(i);
      TORCH_CHECK(per_channel > 1, "Expected more than 1 value per channel when training, got input size ",
                  input.sizes());
    }
    *out = vf::wrap(at::batch_norm(input, vf::opt(weight), vf::opt(bias), vf::opt(running_mean), vf::opt(running_var),
                                   training != 0, momentum, eps, true));
  })
}

int vf_instance_norm(vf_tensor x, vf_tensor running_mean, vf_tensor running_var, vf_tensor weight, vf_tensor bias,
                     int use_input_stats, double momentum, double eps, vf_tensor *out) {
  VF_TRY({
    const auto &input = vf::T(x);
    if (use_input_stats != 0) {
      // As F.instance_norm: statistics over a single value per instance and channel are meaningless.
      int64_t spatial = 1;
      for (int64_t i = 2; i < input.dim(); ++i) spatial *= input.size(i);
      TORCH_CHECK(input.dim() < 2 || spatial > 1,
                  "Expected more than 1 spatial element when training, got input size ", input.sizes());
    }
    *out = vf::wrap(at::instance_norm(input, vf::opt(weight), vf::opt(bias), vf::opt(running_mean),
                                      vf::opt(running_var), use_input_stats != 0, momentum, eps, true));
  })
}

int vf_group_norm(vf_tensor x, int64_t groups, vf_tensor weight, vf_tensor bias, double eps, vf_tensor *out) {
  VF_RETURN(at::group_norm(vf::T(x), groups, vf::opt(weight), vf::opt(bias), eps, true))
}

int vf_layer_norm(vf_tensor x, const int64_t *shape, size_t nshape, vf_tensor weight, vf_tensor bias, double eps,
                  vf_tensor *out) {
  VF_RETURN(at::layer_norm(vf::T(x), vf::ints(shape, nshape), vf::opt(weight), vf::opt(bias), eps, true))
}

int vf_dropout(vf_tensor x, double p, int training, vf_generator gen, vf_tensor *out) {
  VF_TRY({
    TORCH_CHECK(p >= 0 && p <= 1, "dropout probability has to be between 0 and 1, but got ", p);
    const auto &input = vf::T(x);
    if (training == 0 || p == 0) {
      *out = vf::wrap(input);
    } else if (p == 1) {
      *out = vf::wrap(input * at::zeros({}, input.options()));
    } else {
      // The same steps as ATen's CPU dropout, so a given generator state yields torch's mask.
      auto noise = at::empty_like(input);
      noise.bernoulli_(1 - p, vf::gen(gen));
      noise.div_(1 - p);
      *out = vf::wrap(input * noise);
    }
  })
}

int vf_drop_path(vf_tensor x, double p, int training, int scale_by_keep, vf_generator gen, vf_tensor *out) {
  VF_TRY({
    TORCH_CHECK(p >= 0 && p <= 1, "drop path probability has to be between 0 and 1, but got ", p);
    const auto &input = vf::T(x);
    if (training == 0 || p == 0) {
      *out = vf::wrap(input);
    } else {
      TORCH_CHECK(input.dim() >= 1, "drop path needs a batch dimension, got a 0-dimensional tensor");
      const double keep = 1 - p;
      std::vector<int64_t> shape(static_cast<size_t>(input.dim()), 1);
      shape[0] = input.size(0);
      auto mask = at::empty(shape, input.options());
      mask.bernoulli_(keep, vf::gen(gen));
      if (keep > 0 && scale_by_keep != 0) mask.div_(keep);
      *out = vf::wrap(input * mask);
    }
  })
}

int vf_leaky_relu(vf_tensor x, double negative_slope, vf_tensor *out) {
  VF_RETURN(at::leaky_relu(vf::T(x), negative_slope))
}

int vf_prelu(vf_tensor x, vf_tensor weight, vf_tensor *out) { VF_RETURN(at::prelu(vf::T(x), vf::T(weight))) }

int vf_gelu(vf_tensor x, int32_t approximate, vf_tensor *out) {
  VF_RETURN(at::gelu(vf::T(x), approximate == 1 ? "tanh" : "none"))
}

int vf_silu(vf_tensor x, vf_tensor *out) { VF_RETURN(at::silu(vf::T(x))) }

int vf_softmax(vf_tensor x, int64_t dim, vf_tensor *out) { VF_RETURN(at::softmax(vf::T(x), dim)) }

int vf_log_softmax(vf_tensor x, int64_t dim, vf_tensor *out) { VF_RETURN(at::log_softmax(vf::T(x), dim)) }

int vf_scaled_dot_product_attention(vf_tensor q, vf_tensor k, vf_tensor v, vf_tensor mask, double dropout_p,
                                    int is_causal, int has_scale, double scale, vf_tensor *out) {
  VF_TRY({
    TORCH_CHECK(dropout_p >= 0 && dropout_p <= 1, "attention dropout has to be between 0 and 1, but got ", dropout_p);
    std::optional<double> s;
    if (has_scale != 0) s = scale;
    *out = vf::wrap(at::scaled_dot_product_attention(vf::T(q), vf::T(k), vf::T(v), vf::opt(mask), dropout_p,
                                                     is_causal != 0, s));
  })
}

int vf_one_hot(vf_tensor labels, int64_t num_classes, vf_tensor *out) {
  VF_RETURN(at::one_hot(vf::T(labels), num_classes))
}

int vf_embedding(vf_tensor indices, vf_tensor weight, vf_tensor *out) {
  VF_TRY({
    const auto &w = vf::T(weight);
    const auto &idx = vf::T(indices);
    TORCH_CHECK(w.dim() == 2, "embedding weight must be 2-D (num_embeddings, embedding_dim), got ", w.sizes());
    TORCH_CHECK(!at::isFloatingType(idx.scalar_type()) && idx.scalar_type() != at::kBool,
                "embedding indices must be an integer tensor, got ", idx.scalar_type());
    // Checked here rather than left to the kernel: on CUDA an out-of-range index is a device assert.
    if (idx.numel() > 0) {
      const auto low = idx.min().item<int64_t>();
      const auto high = idx.max().item<int64_t>();
      TORCH_CHECK(low >= 0 && high < w.size(0), "embedding index out of range: indices span [", low, ", ", high,
                  "] but the table has ", w.size(0), " rows");
    }
    *out = vf::wrap(at::embedding(w, idx));
  })
}

}  // extern "C"
