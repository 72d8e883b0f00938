/* Initialisers: composite in-place fills as torch.nn.init writes them, run without recording gradients. */
#ifndef CTORCH_INIT_H
#define CTORCH_INIT_H

#include "ctorch_core.h"

#ifdef __cplusplus
extern "C" {
#endif

/** torch.nn.init.trunc_normal_(t, mean, std, a, b, generator): uniform in [2cdf(a')-1, 2cdf(b')-1], erfinv,
 *  scale by std*sqrt(2), shift by mean, clamp to [a, b] (a', b' standardised). gen may be NULL. */
int vf_init_trunc_normal_(vf_tensor t, double mean, double std, double a, double b, vf_generator gen);

#ifdef __cplusplus
}
#endif
#endif
