package org.kdive.api.arch;

/**
 * An exception frame (the registers the entry code saved, x86_64's and arm64's {@code struct
 * pt_regs}) found in memory by {@link KernelArch#searchExceptionFrames}.
 *
 * @param address where the frame starts
 * @param regs    the registers it holds; {@link KernelArch#kernelMode} tells a kernel-mode frame
 *                from a user-mode one
 */
public record ExceptionFrame(long address, Registers regs) {
}
