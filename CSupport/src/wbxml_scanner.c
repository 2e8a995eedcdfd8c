// Placeholder: the scanner is being written.
#include "csupport_wbxml.h"
void csupport_wbxml_init(csupport_wbxml_scanner *scanner, const csupport_wbxml_limits *limits) { (void)scanner; (void)limits; }
csupport_wbxml_status csupport_wbxml_next(csupport_wbxml_scanner *scanner, const uint8_t *bytes, size_t count, size_t *position, csupport_wbxml_token *token) { return CSUPPORT_WBXML_MALFORMED; }
