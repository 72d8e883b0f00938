/* Neural-network functions: convolution, pooling, normalisation, activations, losses, attention, sampling. */
#ifndef CTORCH_NN_H
#define CTORCH_NN_H

#include "ctorch_core.h"

#ifdef __cplusplus
extern "C" {
#endif

int vf_relu(vf_tensor a, vf_tensor *out);

#ifdef __cplusplus
}
#endif
#endif
