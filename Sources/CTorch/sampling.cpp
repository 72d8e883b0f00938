// Resampling: interpolate, grid_sample, affine_grid, following torch.nn.functional's argument rules.
#include "ctorch_internal.h"

#include <cmath>

namespace {

enum Mode { kNearest = 0, kNearestExact = 1, kLinear = 2, kBilinear = 3, kTrilinear = 4, kBicubic = 5, kArea = 6 };

const char *mode_name(int32_t mode) {
  switch (mode) {
    case kNearest: return "nearest";
    case kNearestExact: return "nearest-exact";
    case kLinear: return "linear";
    case kBilinear: return "bilinear";
    case kTrilinear: return "trilinear";
    case kBicubic: return "bicubic";
    case kArea: return "area";
    default: return "unknown";
  }
}

at::Tensor interpolate(const at::Tensor &input, int32_t mode, std::vector<int64_t> size, std::vector<double> scales,
                       int32_t align_corners, int32_t recompute) {
  TORCH_CHECK(mode >= kNearest && mode <= kArea, "unknown interpolation mode code ", mode);
  const bool interpolating = mode == kLinear || mode == kBilinear || mode == kTrilinear || mode == kBicubic;
  TORCH_CHECK(interpolating || align_corners < 0,
              "align_corners option can only be set with the interpolating modes: linear | bilinear | bicubic | "
              "trilinear");
  const bool corners = align_corners == 1;
  const int64_t dim = input.dim() - 2;
  TORCH_CHECK(dim >= 1 && dim <= 3, "interpolate expects a 3-D, 4-D or 5-D input (N, C, spatial...), got ",
              input.sizes());
  TORCH_CHECK(size.empty() != scales.empty(),
              size.empty() ? "either size or scale_factor should be defined"
                           : "only one of size or scale_factor should be defined");
  // A single value stands for every spatial dimension, as a Python int or float does.
  if (size.size() == 1) size.assign(static_cast<size_t>(dim), size[0]);
  if (scales.size() == 1) scales.assign(static_cast<size_t>(dim), scales[0]);
  TORCH_CHECK(size.empty() || static_cast<int64_t>(size.size()) == dim, "Input and output must have the same number ",
              "of spatial dimensions, but got input with spatial dimensions of ", input.sizes().slice(2),
              " and output size of ", at::IntArrayRef(size));
  TORCH_CHECK(scales.empty() || static_cast<int64_t>(scales.size()) == dim,
              "Input and scale_factor must have the same number of spatial dimensions, but got input with spatial "
              "dimensions of ", input.sizes().slice(2), " and ", scales.size(), " scale factors");
  for (auto s : size) TORCH_CHECK(s > 0, "interpolate output sizes must be positive, got ", at::IntArrayRef(size));
  for (auto s : scales) TORCH_CHECK(std::isfinite(s) && s > 0, "interpolate scale factors must be positive, got ", s);
  TORCH_CHECK(!(recompute == 1 && !size.empty()), "recompute_scale_factor is not meaningful with an explicit size.");

  bool recompute_scales = recompute == 1 || (mode == kArea && size.empty());
  if (recompute_scales) {
    // Python truncates input_size * scale; the kernels then derive the scale from the integer sizes.
    size.clear();
    for (int64_t i = 0; i < dim; ++i) size.push_back(static_cast<int64_t>(static_cast<double>(input.size(i + 2)) * scales[static_cast<size_t>(i)]));
    scales.clear();
  }
  at::OptionalIntArrayRef out_size = size.empty() ? at::OptionalIntArrayRef() : at::OptionalIntArrayRef(size);
  std::optional<at::ArrayRef<double>> out_scales;
  if (!scales.empty()) out_scales = at::ArrayRef<double>(scales);

  switch (mode) {
    case kNearest:
      if (dim == 1) return at::upsample_nearest1d(input, out_size, out_scales);
      if (dim == 2) return at::upsample_nearest2d(input, out_size, out_scales);
      return at::upsample_nearest3d(input, out_size, out_scales);
    case kNearestExact:
      if (dim == 1) return at::_upsample_nearest_exact1d(input, out_size, out_scales);
      if (dim == 2) return at::_upsample_nearest_exact2d(input, out_size, out_scales);
      return at::_upsample_nearest_exact3d(input, out_size, out_scales);
    case kArea:
      if (dim == 1) return at::adaptive_avg_pool1d(input, size);
      if (dim == 2) return at::adaptive_avg_pool2d(input, size);
      return at::adaptive_avg_pool3d(input, size);
    case kLinear:
      if (dim == 1) return at::upsample_linear1d(input, out_size, corners, out_scales);
      break;
    case kBilinear:
      if (dim == 2) return at::upsample_bilinear2d(input, out_size, corners, out_scales);
      break;
    case kBicubic:
      if (dim == 2) return at::upsample_bicubic2d(input, out_size, corners, out_scales);
      break;
    case kTrilinear:
      if (dim == 3) return at::upsample_trilinear3d(input, out_size, corners, out_scales);
      break;
    default: break;
  }
  TORCH_CHECK(false, "Input Error: mode ", mode_name(mode), " does not support ", input.dim(), "-D input ",
              input.sizes(), " (linear needs 3-D, bilinear and bicubic 4-D, trilinear 5-D)");
}

}  // namespace

extern "C" {

int vf_interpolate(vf_tensor x, int32_t mode, const int64_t *size, size_t nsize, const double *scales, size_t nscales,
                   int32_t align_corners, int32_t recompute_scale_factor, vf_tensor *out) {
  VF_TRY({
    std::vector<int64_t> s(size, size + nsize);
    std::vector<double> f(scales, scales + nscales);
    *out = vf::wrap(interpolate(vf::T(x), mode, std::move(s), std::move(f), align_corners, recompute_scale_factor));
  })
}

int vf_grid_sample(vf_tensor x, vf_tensor grid, int32_t mode, int32_t padding_mode, int align_corners,
                   vf_tensor *out) {
  VF_TRY({
    TORCH_CHECK(mode >= 0 && mode <= 2, "unknown grid_sample mode code ", mode);
    TORCH_CHECK(padding_mode >= 0 && padding_mode <= 2, "unknown grid_sample padding code ", padding_mode);
    const auto &input = vf::T(x);
    const auto &g = vf::T(grid);
    TORCH_CHECK(input.dim() == 4 || input.dim() == 5, "grid_sample expects a 4-D or 5-D input, got ", input.sizes());
    TORCH_CHECK(g.dim() == input.dim() && g.size(-1) == input.dim() - 2, "grid_sample: grid of shape ", g.sizes(),
                " does not fit input of shape ", input.sizes(), " (expected (N, ..., ", input.dim() - 2, "))");
    TORCH_CHECK(mode != 2 || input.dim() == 4, "bicubic grid_sample only supports 4-D input");
    *out = vf::wrap(at::grid_sampler(input, g, mode, padding_mode, align_corners != 0));
  })
}

int vf_affine_grid(vf_tensor theta, const int64_t *size, size_t nsize, int align_corners, vf_tensor *out) {
  VF_TRY({
    const auto &t = vf::T(theta);
    TORCH_CHECK(at::isFloatingType(t.scalar_type()), "Expected theta to have floating point type, but got ",
                t.scalar_type());
    at::IntArrayRef s(size, nsize);
    // The same checks as F.affine_grid.
    if (nsize == 4) {
      TORCH_CHECK(t.dim() == 3 && t.size(1) == 2 && t.size(2) == 3,
                  "Expected a batch of 2D affine matrices of shape Nx2x3 for size ", s, ". Got ", t.sizes(), ".");
    } else if (nsize == 5) {
      TORCH_CHECK(t.dim() == 3 && t.size(1) == 3 && t.size(2) == 4,
                  "Expected a batch of 3D affine matrices of shape Nx3x4 for size ", s, ". Got ", t.sizes(), ".");
    } else {
      TORCH_CHECK(false, "affine_grid only supports 4D and 5D sizes, for 2D and 3D affine transforms, respectively. ",
                  "Got size ", s, ".");
    }
    TORCH_CHECK(s[0] == t.size(0), "affine_grid: batch size ", s[0], " does not match theta's ", t.size(0));
    for (auto v : s) TORCH_CHECK(v > 0, "Expected non-zero, positive output size. Got ", s);
    *out = vf::wrap(at::affine_grid_generator(t, s, align_corners != 0));
  })
}

}  // extern "C"
