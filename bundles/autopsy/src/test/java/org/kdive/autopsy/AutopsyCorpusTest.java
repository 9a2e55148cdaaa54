package org.kdive.autopsy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.kdive.api.command.Result;

/** autopsy on the corpus dump (vqbug BUG_ON), without `mod -s` first: it must find the module debuginfo itself. */
@org.junit.jupiter.api.Order(1)
class AutopsyCorpusTest {
    private static Result result;

    @BeforeAll
    static void run() {
        CorpusSession.freshCorpus();
        result = CorpusSession.autopsy().execute(CorpusSession.context(false), List.of());
        System.out.println(result.text());
    }

    @Test
    void namesTheBugSiteAndCondition() {
        String t = result.text();
        assertTrue(t.contains("vqbug.c:63"), t);
        assertTrue(t.contains("condition:   total_sg > vq->vring.num"), t);
    }

    @Test
    void givesTheComparedValuesAndWhatTheyAre() {
        String t = result.text();
        assertTrue(t.contains("verdict:     total_sg (129) > vq->vring.num (128)"), t);
        assertTrue(t.contains("((struct vqb_vring_virtqueue *)RDI)->vring.num"), t);
        assertTrue(t.contains("mov 0x38(%rdi),%esi"), t);
    }

    @Test
    void printsTheStructureAtRdiAndItsContainer() {
        String t = result.text();
        assertTrue(t.contains("STRUCT _vq = (struct vqb_virtqueue *) 0xff228398826f8000"), t);
        assertTrue(t.contains("CONTAINER container_of(_vq, struct vqb_vring_virtqueue, vq) = (struct vqb_vring_virtqueue *) 0xff228398826f8000"), t);
        assertTrue(t.contains("indirect = true"), t);
        assertTrue(t.contains("num = 128"), t);
    }

    @Test
    void loadsTheModuleDebuginfoFoundNextToTheDump() {
        assertTrue(result.text().contains("vqbug:       loaded " + org.kdive.test.Corpus.file("vqbug.ko.debug")), result.text());
    }

    @Test
    void findsThePanicTaskAndException() {
        String t = result.text();
        assertTrue(t.contains("PID: 41  TASK: ff228398a8b7a0c0  CPU: 1  COMMAND: \"kworker/1:1H\""), t);
        assertTrue(t.contains("[exception RIP: vqb_virtqueue_add+77] [vqbug]: ud2"), t);
    }

    @Test
    @SuppressWarnings("unchecked")
    void jsonCarriesTheSameFacts() {
        Map<String, Object> d = (Map<String, Object>) result.data();
        Map<String, Object> bug = (Map<String, Object>) d.get("bug");
        assertEquals(63, bug.get("line"));
        assertEquals("total_sg > vq->vring.num", bug.get("condition"));
        assertEquals(Map.of("total_sg", 129L, "vq->vring.num", 128L), bug.get("values"));
        assertEquals("BUG", ((Map<String, Object>) d.get("panic")).get("kind"));
    }
}
