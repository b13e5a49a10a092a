// CSQLite: the system SQLite 3 library, plus the few things Swift cannot import on its own.
#ifndef TRADLYTE_CSQLITE_SHIM_H
#define TRADLYTE_CSQLITE_SHIM_H

#include <sqlite3.h>

// SQLITE_TRANSIENT is a macro that casts -1 to a function pointer; Swift cannot import it.
// Binding text with it makes SQLite copy the bytes, so Swift strings may be temporaries.
static inline sqlite3_destructor_type tradlyte_sqlite_transient(void) {
    return SQLITE_TRANSIENT;
}

#endif
