// Exposes the system SQLite to Swift. Only SyncMLStore imports this module.
#include <sqlite3.h>
