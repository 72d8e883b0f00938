/* CTorch: the C interface voxelfm's Swift code uses to reach libtorch.
 *
 * Rules for every function here:
 *  - returns 0 on success, non-zero on failure; on failure vf_last_error() holds the message
 *    (libtorch's what_without_backtrace), kept per thread until the next failing call;
 *  - tensors are opaque handles owned by the caller and released with vf_tensor_free;
 *  - no C++ exception ever leaves this interface.
 */
#ifndef CTORCH_H
#define CTORCH_H

#include "ctorch_core.h"
#include "ctorch_autograd.h"
#include "ctorch_math.h"
#include "ctorch_shape.h"
#include "ctorch_nn.h"
#include "ctorch_init.h"
#include "ctorch_autocast.h"

#endif
