package org.kdive.shell;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jline.reader.Candidate;
import org.junit.jupiter.api.Test;
import org.kdive.api.command.Command;
import org.kdive.api.command.CommandContext;
import org.kdive.api.command.Result;
import org.kdive.api.util.Suggest;

/** The shell's texts made from other texts: syntax errors, suggestions, option help, the manual. */
class ShellTextsTest {
    private static final Command RD = new Command() {
        @Override public String name() { return "rd"; }
        @Override public String description() { return "read memory"; }
        @Override public String usage() {
            return """
                    rd - read memory
                    rd [-8|-16|-32|-64] [-s|-S] [-p] address|symbol [count]
                      -8 -16 -32 -64  entry size (default 64)      -s  show symbols for values (64-bit only)
                      -p              address is physical            -x  no ASCII column
                      -o offs         add offs to the address        -e addr  read up to this end address""";
        }
        @Override public Result execute(CommandContext context, List<String> args) { return Result.text(""); }
    };

    @Test
    void anUnclosedQuoteIsASyntaxError() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> CrashSyntax.statements("sys; p \"abc; bt"));
        assertTrue(e.getMessage().startsWith("unbalanced quote: the double quote at column 8"), e.getMessage());
        assertEquals(List.of("p \"a;b\"", "bt"), CrashSyntax.statements("p \"a;b\"; bt"));
    }

    @Test
    void typosGetTheNearestName() {
        assertEquals(Optional.of("bt"), Suggest.nearest("btt", List.of("bt", "sys", "ps")));
        assertEquals(Optional.of("struct"), Suggest.nearest("sturct", List.of("struct", "union")));
        assertEquals(Optional.empty(), Suggest.nearest("xyzzy", List.of("bt", "sys")));
        assertEquals(Optional.of("-64"), Suggest.nearest("-63", List.of("-8", "-16", "-32", "-64", "-s")));
    }

    @Test
    void optionsAndTheirHelpComeFromTheUsageText() {
        Map<String, String> help = new java.util.LinkedHashMap<>();
        for (Candidate c : Completion.parseOptions(RD)) help.put(c.value(), c.descr());
        assertEquals("show symbols for values (64-bit only)", help.get("-s"));
        assertEquals("address is physical", help.get("-p"));
        assertEquals("offs add offs to the address", help.get("-o"));
        assertEquals("entry size (default 64)", help.get("-64"));
        assertTrue(help.containsKey("-S"), "options named only in the synopsis: " + help);
        // options mentioned inside another's help are not given that help's tail
        Command bt = new Command() {
            @Override public String name() { return "bt"; }
            @Override public String description() { return "backtrace"; }
            @Override public String usage() {
                return "bt - backtrace\nbt [-s [-x|d]] [-o|-O] [-l]\n"
                        + "  -s      symbol names with their offset (-x in hex, -d in decimal)\n"
                        + "  -o      the old backtrace (x86_64; -O makes it the default)\n"
                        + "  -l      also the source line     -a  every CPU\n";
            }
            @Override public org.kdive.api.command.Result execute(org.kdive.api.command.CommandContext ctx, List<String> args) { return null; }
        };
        Map<String, String> bth = new java.util.LinkedHashMap<>();
        for (Candidate c : Completion.parseOptions(bt)) bth.put(c.value(), c.descr());
        assertEquals("symbol names with their offset (-x in hex, -d in decimal)", bth.get("-s"));
        assertEquals(null, bth.get("-x"), bth.toString());
        assertEquals(null, bth.get("-O"), bth.toString());
        assertEquals("also the source line", bth.get("-l"));
        assertEquals("every CPU", bth.get("-a"), "a second column");
    }

    @Test
    void theManualHasEveryCommandsUsageAndTheLaunchersOptions() {
        String usage = "usage: kdive [options] [DUMP... [VMLINUX]]\n\nOpens a dump.\n\n  -c \"CMD; CMD\"     run the commands and exit\n"
                + "  --json           print JSON\n  -v, --verbose    more\n";
        String man = Manual.man(Map.of("rd", RD), usage, "1.0");
        assertTrue(man.startsWith(".TH KDIVE 1"), man);
        assertTrue(man.contains(".SS rd\nread memory\n"), man);
        assertTrue(man.contains("\\-p              address is physical"), man);
        assertTrue(man.contains("\\-\\-json           print JSON"), man);
        assertEquals("\\&.hidden", Manual.esc(".hidden"));
        assertEquals(java.util.Set.of("-c", "--json", "-v", "--verbose"), Manual.options(usage));
        String bash = Manual.bash(Map.of("rd", RD), usage);
        assertTrue(bash.contains("compgen -W \"rd\"") && bash.contains("--json"), bash);
    }
}
