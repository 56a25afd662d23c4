// PostgreSQL's client library (libpq-dev installs it under postgresql/).
#include <postgresql/libpq-fe.h>
