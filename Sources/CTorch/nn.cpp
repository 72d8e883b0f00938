// Neural-network functions: convolution, pooling, normalisation, activations, losses, attention, sampling.
#include "ctorch_internal.h"

extern "C" {

int vf_relu(vf_tensor a, vf_tensor *out) { VF_RETURN(at::relu(vf::T(a))) }

}  // extern "C"
