/* Autocast: libtorch's automatic mixed precision, per device type and per thread (torch.autocast). */
#ifndef CTORCH_AUTOCAST_H
#define CTORCH_AUTOCAST_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/** One device type's autocast state on this thread: whether it is on, and its low-precision dtype
 *  (a c10::ScalarType code). */
typedef struct {
  int32_t enabled;
  int32_t dtype;
} vf_autocast_state;

/** Enters an autocast region for dev_type (0 = cpu, 1 = cuda), as torch.autocast's __enter__: writes the
 *  current state to *previous, sets enabled (and, when enabled, dtype: float16 or bfloat16) and counts one
 *  nesting level. Leave with vf_autocast_exit(dev_type, *previous) on the same thread, innermost first. */
int vf_autocast_enter(int32_t dev_type, int32_t enabled, int32_t dtype, vf_autocast_state *previous);
/** Leaves the innermost region: restores previous and, when this was the outermost region, drops the
 *  cache of low-precision weight copies (as torch.autocast's __exit__). */
int vf_autocast_exit(int32_t dev_type, vf_autocast_state previous);
/** The current state of dev_type on this thread. */
int vf_autocast_get(int32_t dev_type, vf_autocast_state *out);

#ifdef __cplusplus
}
#endif

#endif
