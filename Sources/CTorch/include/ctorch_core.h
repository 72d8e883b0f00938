/* Core: errors, runtime facts, tensor lifetime, properties, creation, conversion. */
#ifndef CTORCH_CORE_H
#define CTORCH_CORE_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/** An owned at::Tensor. */
typedef struct vf_tensor_s *vf_tensor;
/** An owned at::Generator (CPU). */
typedef struct vf_generator_s *vf_generator;

/** A scalar operand: kind 0 = floating (f), 1 = integer (i), 2 = bool (i != 0). */
typedef struct {
  int32_t kind;
  double f;
  int64_t i;
} vf_scalar;

/** Message of the last failure on this thread ("" if none). Valid until the next failing call. */
const char *vf_last_error(void);

/* ---- runtime ---- */
/** The torch version the shim was compiled against (TORCH_VERSION). */
const char *vf_compiled_torch_version(void);
/** The version of the libtorch loaded at run time, as a malloc'd string; free with vf_string_free. */
int vf_runtime_torch_version(char **out);
/** at::show_config(): how the loaded libtorch was built. malloc'd; free with vf_string_free. */
int vf_runtime_config(char **out);
void vf_string_free(char *s);
/** File path of the loaded libtorch_cpu shared library, malloc'd; free with vf_string_free. */
int vf_library_path(char **out);
int vf_cuda_is_available(void);
int vf_cuda_device_count(void);
int vf_get_num_threads(void);
int vf_set_num_threads(int32_t n);
/** Seeds the default generators (CPU and, when present, CUDA). */
int vf_manual_seed(uint64_t seed);

/* ---- generators ---- */
int vf_generator_new(uint64_t seed, vf_generator *out);
void vf_generator_free(vf_generator g);
int vf_generator_get_state(vf_generator g, vf_tensor *out);
int vf_generator_set_state(vf_generator g, vf_tensor state);

/* ---- lifetime and properties ---- */
void vf_tensor_free(vf_tensor t);
/** A new handle to the same tensor (shares data and autograd identity, like a Python reference). */
int vf_tensor_alias(vf_tensor t, vf_tensor *out);
int64_t vf_tensor_dim(vf_tensor t);
/** Writes dim() sizes into out (caller provides at least vf_tensor_dim entries). */
void vf_tensor_sizes(vf_tensor t, int64_t *out);
void vf_tensor_strides(vf_tensor t, int64_t *out);
int64_t vf_tensor_numel(vf_tensor t);
int64_t vf_tensor_storage_offset(vf_tensor t);
/** c10::ScalarType code. */
int32_t vf_tensor_dtype(vf_tensor t);
/** Device type (0 = cpu, 1 = cuda) and index (-1 if none). */
void vf_tensor_device(vf_tensor t, int32_t *type, int32_t *index);
int vf_tensor_is_contiguous(vf_tensor t);
int vf_tensor_defined(vf_tensor t);
/** Identity of the underlying storage's data (for checking views share memory). */
const void *vf_tensor_data_ptr(vf_tensor t);

/* ---- creation ---- */
int vf_empty(const int64_t *shape, size_t ndim, int32_t dtype, int32_t dev_type, int32_t dev_index, vf_tensor *out);
int vf_zeros(const int64_t *shape, size_t ndim, int32_t dtype, int32_t dev_type, int32_t dev_index, vf_tensor *out);
int vf_ones(const int64_t *shape, size_t ndim, int32_t dtype, int32_t dev_type, int32_t dev_index, vf_tensor *out);
int vf_full(const int64_t *shape, size_t ndim, vf_scalar value, int32_t dtype, int32_t dev_type, int32_t dev_index, vf_tensor *out);
int vf_arange(vf_scalar start, vf_scalar end, vf_scalar step, int32_t dtype, int32_t dev_type, int32_t dev_index, vf_tensor *out);
int vf_linspace(double start, double end, int64_t steps, int32_t dtype, int32_t dev_type, int32_t dev_index, vf_tensor *out);
int vf_eye(int64_t n, int64_t m, int32_t dtype, int32_t dev_type, int32_t dev_index, vf_tensor *out);
/** Uniform [0, 1); gen may be NULL for the default generator. */
int vf_rand(const int64_t *shape, size_t ndim, vf_generator gen, int32_t dtype, int32_t dev_type, int32_t dev_index, vf_tensor *out);
int vf_randn(const int64_t *shape, size_t ndim, vf_generator gen, int32_t dtype, int32_t dev_type, int32_t dev_index, vf_tensor *out);
/** Integers uniform in [low, high). */
int vf_randint(int64_t low, int64_t high, const int64_t *shape, size_t ndim, vf_generator gen, int32_t dtype, int32_t dev_type, int32_t dev_index, vf_tensor *out);
int vf_randperm(int64_t n, vf_generator gen, int32_t dtype, vf_tensor *out);
/** In-place fills used by initialisers. */
int vf_uniform_(vf_tensor t, double low, double high, vf_generator gen);
int vf_normal_(vf_tensor t, double mean, double std, vf_generator gen);
int vf_bernoulli(vf_tensor t, double p, vf_generator gen, vf_tensor *out);
/** Copies nbytes of host data laid out with the given element strides into a new CPU tensor. */
int vf_from_data(const void *data, const int64_t *shape, const int64_t *strides, size_t ndim, int32_t dtype, vf_tensor *out);
/** Wraps host memory without copying; release(ctx) is called when libtorch no longer needs it.
 *  The memory must stay valid and must not be written through the tensor if it is read-only. */
int vf_from_blob(void *data, const int64_t *shape, const int64_t *strides, size_t ndim, int32_t dtype,
                 void *ctx, void (*release)(void *ctx), vf_tensor *out);
/** Copies the tensor's elements, row-major, into dst (nbytes must equal numel * element size).
 *  Works for any device and layout. */
int vf_copy_to_host(vf_tensor t, void *dst, size_t nbytes);
/** Single-element tensor to double / int64. */
int vf_item_double(vf_tensor t, double *out);
int vf_item_int(vf_tensor t, int64_t *out);

/* ---- conversion and copies ---- */
int vf_to(vf_tensor t, int32_t dtype, int32_t dev_type, int32_t dev_index, int copy, vf_tensor *out);
int vf_contiguous(vf_tensor t, vf_tensor *out);
int vf_clone(vf_tensor t, vf_tensor *out);
/** dst.copy_(src) (broadcasting, with dtype and device conversion). */
int vf_copy_(vf_tensor dst, vf_tensor src);
/** Compact text form of the tensor (at::print), malloc'd; free with vf_string_free. */
int vf_tensor_to_string(vf_tensor t, char **out);

#ifdef __cplusplus
}
#endif
#endif
