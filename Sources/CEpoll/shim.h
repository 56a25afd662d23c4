// Linux's readiness notification, event counters and process descriptors, which the Glibc
// module does not export.
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/pidfd.h>
#include <spawn.h>

// glibc (2.34 and later) declares it only under _GNU_SOURCE, which the Glibc module is built without.
extern int posix_spawn_file_actions_addclosefrom_np(posix_spawn_file_actions_t *actions, int from);
