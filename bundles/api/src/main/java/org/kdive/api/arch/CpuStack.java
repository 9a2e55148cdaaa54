package org.kdive.api.arch;

/**
 * A per-CPU stack besides the task stacks: an IRQ stack, an exception stack (x86_64's IST stacks),
 * an overflow stack (arm64), as {@link KernelArch#cpuStacks} lists them.
 *
 * @param cpu    the CPU it belongs to
 * @param name   its name as crash's {@code bt -E} prints it before "STACK:", e.g. "IRQ",
 *               "NMI EXCEPTION", "DOUBLEFAULT EXCEPTION"
 * @param region where it lies, {@code [start, end)}
 */
public record CpuStack(int cpu, String name, AddressSpace.Region region) {
}
