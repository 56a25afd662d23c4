// Linux's readiness notification, event counters and process descriptors, which the Glibc
// module does not export.
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/pidfd.h>
