package org.kdive.cmd.calc;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import org.kdive.api.command.Command;
import org.kdive.api.command.CommandContext;
import org.kdive.api.command.CommandException;
import org.kdive.api.command.Result;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;

/** crash's {@code ascii}: the ASCII chart, or each hex value's 8 bytes as text (lowest byte first). */
@Component(configurationPolicy = ConfigurationPolicy.IGNORE, service = Command.class, property = Command.NAME_PROPERTY + "=ascii")
public class AsciiCommand implements Command {
    private static final String[] CONTROL = {
        "NUL", "SOH", "STX", "ETX", "EOT", "ENQ", "ACK", "BEL", "BS", "HT", "LF", "VT", "FF", "CR", "SO", "SI",
        "DLE", "DC1", "DC2", "DC3", "DC4", "NAK", "SYN", "ETB", "CAN", "EM", "SUB", "ESC", "FS", "GS", "RS", "US"};

    static final String CHART = """

                  0    1   2   3   4   5   6   7
                +-------------------------------
              0 | NUL DLE  SP  0   @   P   '   p
              1 | SOH DC1  !   1   A   Q   a   q
              2 | STX DC2  "   2   B   R   b   r
              3 | ETX DC3  #   3   C   S   c   s
              4 | EOT DC4  $   4   D   T   d   t
              5 | ENQ NAK  %   5   E   U   e   u
              6 | ACK SYN  &   6   F   V   f   v
              7 | BEL ETB  `   7   G   W   g   w
              8 |  BS CAN  (   8   H   X   h   x
              9 |  HT  EM  )   9   I   Y   i   y
              A |  LF SUB  *   :   J   Z   j   z
              B |  VT ESC  +   ;   K   [   k   {
              C |  FF  FS  ,   <   L   \\   l   |
              D |  CR  GS  _   =   M   ]   m   }
              E |  SO  RS  .   >   N   ^   n   ~
              F |  SI  US  /   ?   O   -   o  DEL

            """;

    @Override public String name() { return "ascii"; }

    @Override public String description() { return "the ASCII chart, or hex values as ASCII text"; }

    @Override
    public String usage() {
        return """
                ascii - translate a hexadecimal string to ASCII
                ascii value ...
                  Without arguments, shows the ASCII chart. Each hexadecimal value (up to 16 digits,
                  "0x" optional) is shown as its 8 bytes from the lowest, printable characters as they
                  are and the others by name (<NUL>, <LF> ...) or in hex (<8f>).
                  Example: ascii 62696c2f7273752f   ->   0000000062696c2f7273752f: /usr/lib
                """;
    }

    @Override
    public Result execute(CommandContext context, List<String> args) {
        if (args.isEmpty()) {
            return Result.of(CHART, Map.of("chart", true));
        }
        StringBuilder sb = new StringBuilder();
        List<Object> rows = new ArrayList<>();
        for (String a : args) {
            String s = a.startsWith("0x") || a.startsWith("0X") ? a.substring(2) : a;
            if (s.length() > 16) {
                throw new CommandException("input string too large: \"" + s + "\" (" + s.length() + " vs 16)");
            }
            OptionalLong v = CrashNumbers.hex(s);
            if (v.isEmpty()) throw new CommandException("invalid input: \"" + s + "\"");
            String text = text(v.getAsLong());
            sb.append(String.format("%016x: ", v.getAsLong())).append(text).append('\n');
            Map<String, Object> r = new LinkedHashMap<>();
            r.put("value", org.kdive.api.util.Hex.json(v.getAsLong()));
            r.put("ascii", text);
            rows.add(r);
        }
        return Result.of(sb.toString(), Map.of("values", rows));
    }

    static String text(long value) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 8; i++) {
            int c = (int) (value >>> (8 * i)) & 0xff;
            if (c >= 0x20 && c < 0x7f) sb.append((char) c);
            else if (c > 0x7f) sb.append(String.format("<%02x>", c));
            else if (c == 0x7f) sb.append("<DEL>");
            else sb.append('<').append(CONTROL[c]).append('>');
        }
        return sb.toString();
    }
}
