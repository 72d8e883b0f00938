// Autograd: gradient tracking, backward, grad mode and inference mode.
#include "ctorch_internal.h"

#include <ATen/core/grad_mode.h>
#include <c10/core/InferenceMode.h>
#include <torch/csrc/autograd/autograd.h>

extern "C" {

int vf_requires_grad(vf_tensor t) { return vf::T(t).requires_grad() ? 1 : 0; }

int vf_set_requires_grad(vf_tensor t, int flag) { VF_TRY(vf::T(t).requires_grad_(flag != 0)) }

int vf_is_leaf(vf_tensor t) { return vf::T(t).is_leaf() ? 1 : 0; }

int vf_backward(vf_tensor t, vf_tensor grad_output, int retain_graph, int create_graph) {
  VF_TRY({
    std::optional<bool> retain = retain_graph ? std::optional<bool>(true) : std::nullopt;
    vf::T(t).backward(grad_output ? vf::T(grad_output) : at::Tensor(), retain, create_graph != 0);
  })
}

int vf_autograd_grad(const vf_tensor *outputs, size_t n_outputs, const vf_tensor *inputs, size_t n_inputs,
                     const vf_tensor *grad_outputs, int retain_graph, int create_graph, int allow_unused,
                     vf_tensor *out_grads) {
  VF_TRY({
    std::vector<at::Tensor> gos;
    if (grad_outputs) {
      for (size_t i = 0; i < n_outputs; ++i) gos.push_back(grad_outputs[i] ? vf::T(grad_outputs[i]) : at::Tensor());
    }
    std::optional<bool> retain = retain_graph ? std::optional<bool>(true) : std::nullopt;
    auto grads = torch::autograd::grad(vf::tensors(outputs, n_outputs), vf::tensors(inputs, n_inputs), gos, retain,
                                       create_graph != 0, allow_unused != 0);
    for (size_t i = 0; i < n_inputs; ++i) out_grads[i] = grads[i].defined() ? vf::wrap(grads[i]) : nullptr;
  })
}

int vf_grad(vf_tensor t, vf_tensor *out) {
  VF_TRY({
    const auto &g = vf::T(t).grad();
    *out = g.defined() ? vf::wrap(g) : nullptr;
  })
}

int vf_set_grad(vf_tensor t, vf_tensor grad) { VF_TRY(vf::T(t).mutable_grad() = grad ? vf::T(grad) : at::Tensor()) }

int vf_detach(vf_tensor t, vf_tensor *out) { VF_RETURN(vf::T(t).detach()) }

int vf_detach_(vf_tensor t) { VF_TRY(vf::T(t).detach_()) }

int vf_retain_grad(vf_tensor t) { VF_TRY(vf::T(t).retain_grad()) }

int vf_grad_mode_enabled(void) { return at::GradMode::is_enabled() ? 1 : 0; }

void vf_set_grad_mode(int enabled) { at::GradMode::set_enabled(enabled != 0); }

int vf_inference_mode_enter(void **token) { VF_TRY(*token = new c10::InferenceMode(true)) }

void vf_inference_mode_exit(void *token) { delete static_cast<c10::InferenceMode *>(token); }

int vf_is_inference_mode(void) { return c10::InferenceMode::is_enabled() ? 1 : 0; }

}  // extern "C"
