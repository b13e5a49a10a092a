#ifndef TRADLYTE_CARGUMENTS_H
#define TRADLYTE_CARGUMENTS_H

// Nothing to call: arguments.c works from an ELF constructor (see there). SwiftPM wants a
// public header for every C target.

#endif
