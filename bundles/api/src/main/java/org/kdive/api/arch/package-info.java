/**
 * The architecture seam: everything about a CPU that commands need, so that no bundle but an
 * architecture's own names a register, a page-table format, an address-space constant or an
 * instruction.
 *
 * <p>An architecture bundle registers an {@link org.kdive.api.arch.Architecture} (Declarative
 * Services) that binds to a dump as a {@link org.kdive.api.arch.KernelArch}, plus a
 * {@link org.kdive.api.dis.Disassembler} for its machine. What it answers:
 * <ul>
 * <li>memory: {@link org.kdive.api.arch.KernelArch#toPhysical(long)} (unmapped addresses fail),
 *     {@link org.kdive.api.arch.KernelArch#walk} → {@link org.kdive.api.arch.PageWalk} (typed steps in
 *     the architecture's own level and flag names, and crash's vtop lines),
 *     {@link org.kdive.api.arch.KernelArch#mappings} → {@link org.kdive.api.arch.MappedRange}s, and
 *     {@link org.kdive.api.arch.KernelArch#addressSpace} → {@link org.kdive.api.arch.AddressSpace}
 *     (direct map, vmalloc, modules, kernel image, vmemmap, per-CPU offsets);</li>
 * <li>registers: {@link org.kdive.api.arch.Registers} from the dump's CPU notes, their
 *     {@link org.kdive.api.arch.RegisterRoles} (pc, sp, frame pointer, link register, return value,
 *     arguments), crash's printed layout of registers and exception frames;</li>
 * <li>stacks: {@link org.kdive.api.arch.StackFrame}s of running and switched-out tasks;</li>
 * <li>code: the BUG()/WARN() {@link org.kdive.api.arch.BugTrap} and a
 *     {@link org.kdive.api.arch.CodeModel} of what instructions do (for autopsy).</li>
 * </ul>
 * Methods with a default can be left for later: the commands that use them degrade (no BUG marks,
 * no code analysis, page-by-page scans, registers name by name).
 */
package org.kdive.api.arch;
