#ifndef TRADLYTE_CARGUMENTS_H
#define TRADLYTE_CARGUMENTS_H

/// How many arguments the process constructor captured (0 before it ran).
int tl_captured_argument_count(void);

#endif
