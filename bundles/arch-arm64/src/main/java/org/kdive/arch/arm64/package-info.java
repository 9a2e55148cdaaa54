/**
 * AArch64 support: {@link org.kdive.arch.arm64.Arm64Architecture} (DS component) binds to a dump as
 * {@link org.kdive.arch.arm64.Arm64KernelArch}; {@link org.kdive.arch.arm64.dis.Arm64Disassembler}
 * is the AArch64 disassembler. Imports only the API (the capstone binding is embedded).
 */
package org.kdive.arch.arm64;
