// SPDX-License-Identifier: GPL-2.0
/*
 * crashme: panics the kernel in a chosen way on load, for autopsy's test dumps.
 *   mode=1  NULL pointer dereference through a struct member (page fault at 0x10)
 *   mode=2  WARN_ON(count > limit), a panic when panic_on_warn is set
 */
#include <linux/module.h>
#include <linux/bug.h>

struct crashme_dev {
	const char *name;
	unsigned long flags;
	struct crashme_ring *ring;
	unsigned int count;
	unsigned int limit;
};

struct crashme_ring {
	unsigned int size;
	unsigned long head;
	unsigned long tail;
};

static int mode;
module_param(mode, int, 0444);

static struct crashme_dev crashme_dev = { .name = "crashme0", .count = 7, .limit = 5 };

static noinline __attribute__((__noipa__)) unsigned long crashme_ring_tail(struct crashme_dev *dev)
{
	return dev->ring->tail;
}

static noinline __attribute__((__noipa__)) int crashme_check(struct crashme_dev *dev)
{
	WARN_ON(dev->count > dev->limit);
	return 0;
}

static int __init crashme_init(void)
{
	if (mode == 1)
		pr_info("crashme: tail %lu\n", crashme_ring_tail(&crashme_dev));
	else if (mode == 2)
		crashme_check(&crashme_dev);
	return 0;
}

static void __exit crashme_exit(void)
{
}

module_init(crashme_init);
module_exit(crashme_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Panics on load, for crash dump analysis tests");
