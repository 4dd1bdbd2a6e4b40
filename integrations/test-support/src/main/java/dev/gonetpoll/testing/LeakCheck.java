package dev.gonetpoll.testing;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.UnpooledByteBufAllocator;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * Fails a test class whose code leaked a {@link ByteBuf}: Netty's leak detector (PARANOID in this build)
 * only logs a leak, and only once the leaked buffer has been garbage collected and another buffer is
 * allocated. After the class, this collects garbage and allocates buffers until no new report comes,
 * then fails with every report recorded since the class began.
 */
public final class LeakCheck implements BeforeAllCallback, AfterAllCallback {

    private static final List<String> LEAKS = new CopyOnWriteArrayList<>();

    static {
        ByteBufUtil.setLeakListener((resourceType, records) -> LEAKS.add(resourceType + " leaked:\n" + records));
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        flushReports();
        LEAKS.clear();
    }

    @Override
    public void afterAll(ExtensionContext context) {
        flushReports();
        if (!LEAKS.isEmpty()) {
            List<String> leaks = new ArrayList<>(LEAKS);
            LEAKS.clear();
            fail(leaks.size() + " buffer leak(s) in " + context.getDisplayName() + ":\n" + String.join("\n", leaks));
        }
    }

    /** Makes the detector look at what the collector found: it reports when buffers are allocated. */
    private static void flushReports() {
        for (int round = 0; round < 5; round++) {
            System.gc();
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            for (ByteBufAllocator allocator : new ByteBufAllocator[] {
                    ByteBufAllocator.DEFAULT, UnpooledByteBufAllocator.DEFAULT}) {
                for (int i = 0; i < 64; i++) {
                    allocator.directBuffer(16).release();
                    allocator.heapBuffer(16).release();
                }
            }
        }
    }
}
