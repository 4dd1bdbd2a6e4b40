package dev.gonetpoll.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gonetpoll.sched.GlobalRunQueueBenchmark;
import dev.gonetpoll.sched.RunQueueBenchmark;

import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.BenchmarkList;
import org.openjdk.jmh.runner.BenchmarkListEntry;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.format.OutputFormatFactory;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;
import org.openjdk.jmh.runner.options.VerboseMode;

/**
 * Runs every benchmark that JMH's annotation processor listed once, in this JVM, for one short
 * iteration without warm-up: proves each one executes, and that its setup, its result checks and
 * its teardown hold. Any exception in a benchmark, setup or teardown fails the run
 * ({@code shouldFailOnError}). No number is judged: speed is measured with the jar, not here.
 */
class BenchmarksSmokeTest {

    private static final TimeValue ITERATION = TimeValue.milliseconds(100);

    /** What the annotation processor wrote to META-INF/BenchmarkList: one entry per benchmark (or group). */
    private static Set<BenchmarkListEntry> listed() {
        return BenchmarkList.defaultList().getAll(OutputFormatFactory.createFormatInstance(System.out, VerboseMode.SILENT), List.of());
    }

    static SortedSet<String> benchmarkClasses() {
        return listed().stream().map(BenchmarkListEntry::getUserClassQName).collect(Collectors.toCollection(TreeSet::new));
    }

    @Test
    void everyBenchmarkClassIsListed() {
        Set<String> known = Set.of(RunQueueBenchmark.class.getName(), GlobalRunQueueBenchmark.class.getName(),
                ParkUnparkBenchmark.class.getName(), StreamSocketBenchmark.class.getName(),
                NetpollBenchmark.class.getName(), DatagramBenchmark.class.getName(), NativeCallBenchmark.class.getName());
        assertTrue(benchmarkClasses().containsAll(known), () -> "listed: " + benchmarkClasses() + ", known: " + known);
    }

    @ParameterizedTest
    @MethodSource("benchmarkClasses")
    void everyBenchmarkOfTheClassRunsOnce(String className) throws Exception {
        Options options = new OptionsBuilder()
                .include("^" + Pattern.quote(className) + "\\.")
                .forks(0)
                .warmupIterations(0)
                .measurementIterations(1)
                .measurementTime(ITERATION)
                .shouldFailOnError(true)
                .verbosity(VerboseMode.SILENT)
                .build();
        Collection<RunResult> results = new Runner(options).run();

        Set<String> expected = listed().stream()
                .filter(e -> e.getUserClassQName().equals(className))
                .map(BenchmarkListEntry::getUsername)
                .collect(Collectors.toCollection(TreeSet::new));
        Set<String> ran = results.stream()
                .map(r -> r.getParams().getBenchmark())
                .collect(Collectors.toCollection(TreeSet::new));
        assertEquals(expected, ran, "benchmarks that produced a result");
        for (RunResult r : results) {
            double score = r.getPrimaryResult().getScore();
            assertTrue(score > 0 && Double.isFinite(score),
                    () -> r.getParams().id() + ": score " + score + " " + r.getPrimaryResult().getScoreUnit());
        }
    }
}
