package dev.gonetpoll.bench;

import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The settings every gonetpoll benchmark inherits (JMH reads these annotations from superclasses):
 * average time in nanoseconds per operation, one fork, short iterations for a small shared machine.
 * Command-line options ({@code -f}, {@code -wi}, {@code -i}, {@code -w}, {@code -r}) override them.
 *
 * <p>The forked JVM is started with {@code -cp}, not {@code -jar}, so the jar manifest's
 * {@code Add-Opens} and {@code Enable-Native-Access} do not reach it: the fork gets the same two
 * flags here. Passing {@code -jvmArgsAppend} on the command line replaces this list, so repeat them.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(value = 1, jvmArgsAppend = {
        "--add-opens=java.base/java.lang=ALL-UNNAMED", "--enable-native-access=ALL-UNNAMED", "-Xmx1g"})
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public abstract class BenchmarkDefaults {
}
