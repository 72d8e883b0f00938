/* Initialisers: composite in-place fills as torch.nn.init writes them, run without recording gradients. */
#ifndef CTORCH_INIT_H
#define CTORCH_INIT_H

#include "ctorch_core.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Inverse-CDF truncated normal (torch.nn.init.trunc_normal_ before the rejection rewrite, timm's and MONAI's
 *  trunc_normal_): uniform in [2cdf(a')-1, 2cdf(b')-1], erfinv,
 *  scale by std*sqrt(2), shift by mean, clamp to [a, b] (a', b' standardised). gen may be NULL. */
int vf_init_trunc_normal_(vf_tensor t, double mean, double std, double a, double b, vf_generator gen);

/** torch.nn.init.trunc_normal_ as torch 2.13 writes it: rejection sampling (normal draws redrawn outside [a, b]
 *  when the interval holds > 30 % of the mass, else uniform proposals accepted by density), with the same
 *  generator draws. gen may be NULL. */
int vf_init_trunc_normal_rejection_(vf_tensor t, double mean, double std, double a, double b, vf_generator gen);

#ifdef __cplusplus
}
#endif
#endif
