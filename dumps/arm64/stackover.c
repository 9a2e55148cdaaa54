// SPDX-License-Identifier: GPL-2.0
/*
 * stackover: overflows the kernel stack on load, for arm64's overflow-stack test dump. A recursive
 * function with a 256-byte frame runs into the guard page below the task's (vmapped) stack; the
 * fault's exception entry finds sp out of the stack, switches to the CPU's overflow stack
 * (__bad_stack) and handle_bad_stack() panics there: "kernel stack overflow".
 */
#include <linux/module.h>

static int depth;
module_param(depth, int, 0444);

static noinline __attribute__((__noipa__)) int stackover_recurse(int n)
{
	volatile char pad[256];

	pad[0] = (char)n;
	pad[255] = (char)(n >> 8);
	depth = n;
	return stackover_recurse(n + 1) + pad[0] + pad[255];
}

static int __init stackover_init(void)
{
	return stackover_recurse(0);
}

module_init(stackover_init);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("kdive test: kernel stack overflow on load");
