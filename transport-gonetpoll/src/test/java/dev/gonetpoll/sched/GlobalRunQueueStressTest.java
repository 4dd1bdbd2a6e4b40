package dev.gonetpoll.sched;

import dev.gonetpoll.poll.Workers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;

/** Producers {@code put}/{@code putBatch} while consumers {@code poll}: every item exactly once, FIFO per producer. */
class GlobalRunQueueStressTest {

    private static final long RUN_NANOS = TimeUnit.MILLISECONDS.toNanos(1000);
    private static final int PRODUCERS = 3;
    private static final int PER_PRODUCER = 1 << 20;

    private record Item(int producer, int seq) implements Runnable {
        @Override
        public void run() {
        }
    }

    @Test
    void fifoAndSizeSingleThreaded() {
        GlobalRunQueue q = new GlobalRunQueue();
        assertTrue(q.isEmpty());
        assertNull(q.poll());
        Item a = new Item(0, 0);
        Item b = new Item(0, 1);
        Item c = new Item(0, 2);
        q.put(a);
        q.putBatch(new Runnable[] {b, c, new Item(9, 9)}, 2); // only the first n entries
        assertEquals(3, q.size());
        assertEquals(a, q.poll());
        assertEquals(b, q.poll());
        assertEquals(c, q.poll());
        assertNull(q.poll());
        assertEquals(0, q.size());
        assertTrue(q.isEmpty());
    }

    @RepeatedTest(2)
    void everyItemIsPolledExactlyOnceAndInProducerOrder() throws Exception {
        GlobalRunQueue q = new GlobalRunQueue();
        AtomicIntegerArray counts = new AtomicIntegerArray(PRODUCERS * PER_PRODUCER);
        int[] produced = new int[PRODUCERS];
        AtomicInteger producersLeft = new AtomicInteger(PRODUCERS);
        int consumers = 3;

        try (Workers w = new Workers()) {
            for (int p = 0; p < PRODUCERS; p++) {
                int producer = p;
                w.start("producer-" + p, () -> {
                    ThreadLocalRandom rnd = ThreadLocalRandom.current();
                    long end = System.nanoTime() + RUN_NANOS;
                    int seq = 0;
                    Runnable[] batch = new Runnable[RunQueue.CAPACITY / 2 + 1];
                    while (seq < PER_PRODUCER && System.nanoTime() < end) {
                        if (rnd.nextBoolean()) {
                            q.put(new Item(producer, seq++));
                        } else {
                            int n = Math.min(1 + rnd.nextInt(batch.length), PER_PRODUCER - seq);
                            for (int i = 0; i < n; i++) {
                                batch[i] = new Item(producer, seq++);
                            }
                            q.putBatch(batch, n);
                        }
                        while (q.size() > 200_000) {
                            Thread.onSpinWait();
                        }
                    }
                    produced[producer] = seq;
                    producersLeft.decrementAndGet();
                });
            }
            for (int c = 0; c < consumers; c++) {
                w.start("consumer-" + c, () -> {
                    // each consumer must see each producer's items in increasing order (FIFO queue)
                    int[] lastSeen = new int[PRODUCERS];
                    java.util.Arrays.fill(lastSeen, -1);
                    for (;;) {
                        boolean finished = producersLeft.get() == 0;
                        Runnable r = q.poll();
                        if (r == null) {
                            if (finished) {
                                break;
                            }
                            Thread.onSpinWait();
                            continue;
                        }
                        Item item = (Item) r;
                        if (item.seq() <= lastSeen[item.producer()]) {
                            w.fail("out of order: " + item + " after seq " + lastSeen[item.producer()]);
                        }
                        lastSeen[item.producer()] = item.seq();
                        int n = counts.incrementAndGet(item.producer() * PER_PRODUCER + item.seq());
                        if (n != 1) {
                            w.fail(item + " polled " + n + " times");
                        }
                        if (q.size() < 0) {
                            w.fail("negative size");
                        }
                    }
                });
            }
            w.joinAll(30_000);
        }
        assertNull(q.poll());
        assertTrue(q.isEmpty());
        assertEquals(0, q.size());
        for (int p = 0; p < PRODUCERS; p++) {
            for (int s = 0; s < produced[p]; s++) {
                int n = counts.get(p * PER_PRODUCER + s);
                if (n != 1) {
                    throw new AssertionError("item (" + p + "," + s + ") polled " + n + " times");
                }
            }
        }
    }
}
