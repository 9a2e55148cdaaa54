package org.kdive.cmd.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.kdive.test.Corpus;
import org.kdive.test.CrashText;
import org.kdive.test.HostCrash;
import org.kdive.test.session.CorpusSession;

/**
 * list -s/-S over structures in a module's own data (issue 18), against the host's crash run on
 * the corpus dump in the same test, with vqbug's debuginfo loaded in both (mod -s): vqb_work, a
 * work_struct in vqbug's .bss whose entry points back into vqbug (named vqb_work+8) and whose
 * func is a work_func_t, a typedef of a function pointer, which crash's -S prints as a decimal
 * number with the text symbol; without -o the list runs from vqb_work's first word (data, 96) to
 * "entry" 60, listed bare (a whole struct as its "struct NAME" line), whose link crash cannot
 * read: "invalid kernel virtual address: 60". The modules' kobjects from the name __this_module,
 * which every module defines: crash takes the lowest module's (virtio), not the one whose
 * debuginfo is loaded. The modules' own list from its head in the kernel (module.exit is left
 * out: crash names vqbug's exit after its alias, see OptionsCorpusTest).
 */
class ModuleDataListTest {
    private static final List<String> COMMANDS = List.of(
            "list -S work_struct.data,entry,func -h vqb_work",
            "list -S work_struct.func -h vqb_work",
            "list -s work_struct.func -h vqb_work",
            "list -s work_struct -h vqb_work",
            "list -o work_struct.entry -S work_struct.func,entry -h vqb_work",
            "list -h vqb_work",
            "list -o kobject.entry -S kobject.name,parent -h __this_module+80",
            "list -S module.name,init,list -H modules -o module.list",
            "list -S vqb_virtqueue.callback,priv vqb_queue");

    @Test
    void moduleDataListsAsCrashShowsThem() {
        CorpusSession.loadVqbug(new org.kdive.cmd.symbols.ModCommand());
        List<String> script = new ArrayList<>();
        script.add("mod -s vqbug " + Corpus.file("vqbug.ko.debug"));
        script.addAll(COMMANDS);
        List<String> crash = HostCrash.run(Corpus.vmlinux(), Corpus.file(CorpusSession.DUMP), script);
        assertTrue(crash.get(0).contains("vqbug.ko.debug"), "crash loaded vqbug's debuginfo:\n" + crash.get(0));
        assertTrue(crash.get(1).contains("<vqb_work+8>") && crash.get(1).contains("list: invalid kernel virtual address: 60"),
                "crash names vqbug's data and stops at 60:\n" + crash.get(1));
        for (int i = 0; i < COMMANDS.size(); i++) {
            assertEquals(CrashText.layout(crash.get(i + 1)), CrashText.layout(Cmds.run(CorpusSession.context(), COMMANDS.get(i))),
                    COMMANDS.get(i));
        }
    }
}
