// Umbrella header of the C shim. Each concern has its own header.
#ifndef CSUPPORT_H
#define CSUPPORT_H
#include "csupport_wbxml.h"
#include "csupport_hash.h"
#include "csupport_zlib.h"
#endif
