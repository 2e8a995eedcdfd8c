// Exposes the system zlib. deflateInit2/inflateInit2 are macros; CSupport wraps them.
#include <zlib.h>
