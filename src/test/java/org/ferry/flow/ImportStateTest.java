package org.ferry.flow;

import org.ferry.catalog.ImageStatus;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The taskflow contract of {@link FlowStep} as {@link ImportState} runs it: results forward, reverts backward. */
class ImportStateTest {
    @RegisterExtension
    final FlowKit kit = new FlowKit();
    final List<String> reverted = new ArrayList<>();



    /** A step that returns {@code result} (or fails when it is null) and records what its revert got back. */
    private FlowStep<String> step(String name, String result) {
        return new FlowStep<>() {
            @Override
            protected String execute(ImportState s) throws ImportFailure {
                if (result == null) {
                    throw new ImportFailure(name + " failed");
                }
                return result;
            }

            @Override
            protected void revert(ImportState s, String got) {
                reverted.add(name + ":" + got);
            }
        };
    }

    @Test
    void laterStepsReadTheNewestResultOfATypeAndRevertsGetTheirOwnBackNewestFirst() throws Exception {
        ImportState s = kit.locked(kit.image(ImageStatus.QUEUED), ImportMethod.WEB_DOWNLOAD, "fast");
        assertEquals(Optional.empty(), s.result(String.class));
        s.run(step("first", "a"));
        s.run(step("second", "b"));
        assertEquals(Optional.of("b"), s.result(String.class));
        assertThrows(ImportFailure.class, () -> s.run(step("third", null)));
        s.revertStartedSteps();
        assertEquals(List.of("third:null", "second:b", "first:a"), reverted);
        s.revertStartedSteps();
        assertEquals(3, reverted.size(), "each step is reverted once");
        assertEquals(Optional.of("b"), s.result(String.class), "results stay readable after the revert");
    }
}
