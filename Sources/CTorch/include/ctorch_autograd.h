/* Autograd: gradient tracking, backward, grad mode and inference mode. */
#ifndef CTORCH_AUTOGRAD_H
#define CTORCH_AUTOGRAD_H

#include "ctorch_core.h"

#ifdef __cplusplus
extern "C" {
#endif

int vf_requires_grad(vf_tensor t);
int vf_set_requires_grad(vf_tensor t, int flag);
int vf_is_leaf(vf_tensor t);
/** t.backward(grad_output or NULL for a scalar, retain_graph, create_graph). */
int vf_backward(vf_tensor t, vf_tensor grad_output, int retain_graph, int create_graph);
/** torch.autograd.grad(outputs, inputs, grad_outputs (may be NULL), ...) writing n_inputs gradients
 *  (a NULL handle where an input is unused and allow_unused is set). */
int vf_autograd_grad(const vf_tensor *outputs, size_t n_outputs, const vf_tensor *inputs, size_t n_inputs,
                     const vf_tensor *grad_outputs, int retain_graph, int create_graph, int allow_unused,
                     vf_tensor *out_grads);
/** t.grad(); *out is NULL when no gradient has been accumulated. */
int vf_grad(vf_tensor t, vf_tensor *out);
/** Replaces t.grad (NULL clears it). */
int vf_set_grad(vf_tensor t, vf_tensor grad);
int vf_detach(vf_tensor t, vf_tensor *out);
int vf_detach_(vf_tensor t);
int vf_retain_grad(vf_tensor t);

/** Grad mode is per thread; returns the previous state. */
int vf_grad_mode_enabled(void);
void vf_set_grad_mode(int enabled);
/** Enters c10::InferenceMode on this thread; vf_inference_mode_exit(token) leaves it (same thread, LIFO). */
int vf_inference_mode_enter(void **token);
void vf_inference_mode_exit(void *token);
int vf_is_inference_mode(void);

#ifdef __cplusplus
}
#endif
#endif
