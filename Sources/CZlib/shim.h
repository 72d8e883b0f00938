// zlib's public header, exposed to Swift as module CZlib (streaming inflate/deflate for .nii.gz).
#include <zlib.h>
