package dev.gonetpoll.sys;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import org.junit.jupiter.api.Test;

class IovArrayTest {

    @Test
    @SuppressWarnings("restricted") // reinterpret: the test reads the native array the kernel would read
    void entriesAreIovecsAndCapacityIsIovMax() {
        try (IovArray iov = new IovArray()) {
            // Read the native array back through its address, as the kernel will.
            MemorySegment entries = MemorySegment.ofAddress(iov.address()).reinterpret((long) Linux.IOV_MAX * Linux.IOV_SIZE);
            for (int i = 0; i < Linux.IOV_MAX; i++) {
                assertTrue(iov.add(0x1000L + i, i));
            }
            assertFalse(iov.add(0x9999, 1), "full");
            assertEquals(Linux.IOV_MAX, iov.count());
            assertEquals((long) Linux.IOV_MAX * (Linux.IOV_MAX - 1) / 2, iov.size());
            assertEquals(0x1000L + 7, entries.get(ValueLayout.JAVA_LONG, 7L * Linux.IOV_SIZE));
            assertEquals(7, entries.get(ValueLayout.JAVA_LONG, 7L * Linux.IOV_SIZE + 8));

            iov.clear();
            assertEquals(0, iov.count());
            assertEquals(0, iov.size());
            assertTrue(iov.add(0x2000, Integer.MAX_VALUE));
            assertEquals(Integer.MAX_VALUE, entries.get(ValueLayout.JAVA_LONG, 8));
        }
    }

    @Test
    void closeIsIdempotent() {
        IovArray iov = new IovArray();
        iov.close();
        iov.close();
    }
}
