package org.kdive.api.arch;

/**
 * One entry of the CPU's table of interrupt and exception vectors as the kernel filled it (x86's
 * interrupt descriptor table): {@link KernelArch#interruptVectors}.
 *
 * @param vector  the vector number (the entry's index in the table)
 * @param handler the address the CPU jumps to for this vector
 */
public record InterruptVector(int vector, long handler) {
}
