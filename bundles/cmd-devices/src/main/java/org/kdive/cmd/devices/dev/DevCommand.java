package org.kdive.cmd.devices.dev;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.kdive.api.command.Args;
import org.kdive.api.command.Command;
import org.kdive.api.command.CommandContext;
import org.kdive.api.command.CommandException;
import org.kdive.api.command.Result;
import org.kdive.cmd.devices.access.Kern;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;

/** crash's {@code dev}: character and block device majors, {@code -i} I/O resources, {@code -p} PCI, {@code -d}/{@code -D} disk I/O. */
@Component(configurationPolicy = ConfigurationPolicy.IGNORE, service = Command.class, property = Command.NAME_PROPERTY + "=dev")
public class DevCommand implements Command {
    @Override public String name() { return "dev"; }

    @Override public String description() { return "character/block devices, I/O resources, PCI devices, disk I/O"; }

    @Override
    public String usage() {
        return """
                dev - device data
                dev [-i | -p | -d | -D ] [-V | -v index [file]]
                  Without options, lists the character device majors (chrdevs: name, cdev, file
                  operations) and the block device majors (major_names: name, gendisk, operations).
                    -i  the I/O port and I/O memory resource trees (ioport_resource, iomem_resource).
                    -p  the PCI root buses, their buses and devices: address, name, class, vendor:device,
                        PCI Express type.
                    -d  each disk with its requests in flight (reads and writes; blk-mq: the requests of
                        the hardware queues' tags that are in flight).
                    -D  as -d, only disks with requests in flight.
                    -V  the device dumps a driver added to the capture (vmcoredd notes): index,
                        file offset and size of the data, device name.
                    -v index [file]
                        the data of device dump index as 64-bit words at their file offsets, or its
                        raw bytes written to file.
                JSON
                  dev: {chrdevs: [{major, name, cdev, symbol, ...}], blkdevs: [...]}; -d/-D: {disks: [...]};
                  -i: the resource trees; -p: {rootBuses: [...]}; -V: {deviceDumps: [{index, offset,
                  size, name}]}; -v: {index, name, offset, size, file (when written)}.
                """;
    }

    @Override
    public Result execute(CommandContext context, List<String> args) {
        if (!args.isEmpty() && args.get(args.size() - 1).equals("-v")) throw usageError();   // crash: -v needs an index
        Args a = Args.parse(args, Set.of("d", "D", "p", "i", "V"), Set.of("v"));
        Kern k = Kern.of(context.session());
        if (a.has("V")) return DeviceDumps.list(context);
        if (a.has("v")) {
            if (a.positional().size() > 1) throw usageError();
            return DeviceDumps.extract(context, a.value("v"), a.positional().isEmpty() ? null : a.positional(0));
        }
        List<Object> rows = new ArrayList<>();
        if (a.has("d") || a.has("D")) {
            String t = new DiskIo(k, context).text(a.has("D") && !a.has("d"), rows);
            return Result.of(t, Map.of("disks", rows));
        }
        if (a.has("i")) {
            Map<String, Object> data = new LinkedHashMap<>();
            return Result.of(new Resources(k, context).text(data), data);
        }
        if (a.has("p")) return Result.of(new Pci(k, context).text(rows), Map.of("rootBuses", rows));
        if (!a.positional().isEmpty()) {
            throw usageError();
        }
        CharBlock cb = new CharBlock(k, context);
        List<Object> blk = new ArrayList<>();
        String text = cb.chrdevs(rows) + "\n" + cb.blkdevs(blk);
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("chrdevs", rows);
        data.put("blkdevs", blk);
        return Result.of(text, data);
    }

    private static CommandException usageError() {
        return new CommandException("Usage:\n  dev [-i | -p | -d | -D ] [-V | -v index [file]]\nEnter \"help dev\" for details.", CommandException.USAGE);
    }
}
