// Linux's readiness notification and event counters, which the Glibc module does not export.
#include <sys/epoll.h>
#include <sys/eventfd.h>
