// SPDX-License-Identifier: GPL-2.0
/*
 * panicker: brings the kernel down in one of the ways autopsy recognises, on load, for the
 * panic-kind dumps of dumps/make-dumps.sh (the guest sets the matching sysctl or boot option).
 *   mode=1  page fault: reads a vmalloc page after vfree() (an unmapped kernel address)
 *   mode=2  general protection fault: reads through a non-canonical pointer
 *   mode=3  soft lockup: spins with preemption off (softlockup_panic=1 makes it a panic)
 *   mode=4  hung task: a kthread sleeps uninterruptibly for ever (hung_task_panic=1)
 *   mode=5  plain panic()
 *   mode=6  out of memory: takes pages until the allocator calls the OOM killer (panic_on_oom=1)
 */
#include <linux/module.h>
#include <linux/kthread.h>
#include <linux/sched.h>
#include <linux/vmalloc.h>
#include <linux/gfp.h>

static int mode;
module_param(mode, int, 0444);

struct panicker_rec {
	unsigned long magic;
	unsigned long value;
};

static noinline __attribute__((__noipa__)) unsigned long panicker_read(struct panicker_rec *rec)
{
	return READ_ONCE(rec->value);
}

static noinline __attribute__((__noipa__)) void panicker_spin(void)
{
	preempt_disable();
	for (;;)
		cpu_relax();
}

static int panicker_sleeper(void *unused)
{
	set_current_state(TASK_UNINTERRUPTIBLE);
	schedule();
	return 0;
}

static int __init panicker_init(void)
{
	struct panicker_rec *rec;

	switch (mode) {
	case 1:
		rec = vmalloc(PAGE_SIZE);
		if (!rec)
			return -ENOMEM;
		vfree(rec);
		pr_info("panicker: value %lu\n", panicker_read(rec));
		break;
	case 2:
		pr_info("panicker: value %lu\n", panicker_read((struct panicker_rec *)0xdead000000000100UL));
		break;
	case 3:
		panicker_spin();
		break;
	case 4:
		kthread_run(panicker_sleeper, NULL, "panicker_hung");
		break;
	case 5:
		panic("panicker: plain panic (mode %d)", mode);
	case 6:
		while (alloc_page(GFP_KERNEL))
			;
		break;
	}
	return 0;
}

static void __exit panicker_exit(void)
{
}

module_init(panicker_init);
module_exit(panicker_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Panics on load in a chosen way, for crash dump analysis tests");
