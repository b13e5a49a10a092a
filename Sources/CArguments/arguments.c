// Hands the process's argv to the Swift runtime from an ELF constructor.
//
// On Linux the Swift runtime finds argv by walking back from `environ`, which only works while
// `environ` still points at the initial stack. A preloaded library that edits the environment
// in its own constructor moves `environ` to the heap — libfaketime does, and `make test` runs
// the time suites under it — and `CommandLine.arguments` comes back empty: the test runner
// forgets `--testing-library swift-testing` and `tradlyte` its subcommand. glibc passes
// (argc, argv, envp) to constructors, so the real argv is handed over here, before any Swift
// code reads it.
#include "CArguments.h"

extern void _swift_stdlib_overrideUnsafeArgvArgc(char **argv, int argc);

__attribute__((constructor)) static void tl_capture_arguments(int argc, char **argv, char **envp) {
    (void)envp;
    if (argc > 0 && argv != 0) {
        _swift_stdlib_overrideUnsafeArgvArgc(argv, argc);
    }
}
