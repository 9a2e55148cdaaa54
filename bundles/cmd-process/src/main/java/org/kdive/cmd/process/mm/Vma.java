package org.kdive.cmd.process.mm;

/**
 * One vm_area_struct as crash's vm shows it.
 *
 * @param file  vm_file (a struct file *), 0 for anonymous memory
 * @param path  the file's path, "" when none
 * @param pgoff vm_pgoff: the file offset of vm_start in pages
 */
public record Vma(long address, long start, long end, long flags, long file, String path, long pgoff) {
}
