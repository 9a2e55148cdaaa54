package org.kdive.api.kernel;

/**
 * A module loaded in the crashed kernel, as `mod` lists it.
 *
 * @param name   module name as the kernel knows it (underscores)
 * @param struct address of its struct module
 * @param base   start of its core text
 * @param size   size of its core memory
 */
public record LoadedModule(String name, long struct, long base, long size) {
}
