package dev.gonetpoll.sched;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class RuntimeRequirementsTest {

    @Test
    void goroutineSupportIsAvailableUnderTheTestJvmFlags() {
        assertTrue(Runtime.version().feature() >= 25);
        assertTrue(Thread.class.getModule().isOpen("java.lang", RuntimeRequirements.class.getModule()),
                "the tests run with --add-opens java.base/java.lang=ALL-UNNAMED");
        assertDoesNotThrow(RuntimeRequirements::checkGoroutineSupport);
    }

    @Test
    void theMessageNamesTheMissingFlag() {
        assertTrue(RuntimeRequirements.ADD_OPENS_MESSAGE.contains("--add-opens java.base/java.lang=ALL-UNNAMED"));
    }
}
