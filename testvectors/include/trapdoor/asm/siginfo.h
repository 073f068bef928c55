#include <linux/signal.h>
