package dev.gonetpoll.it;

import org.junit.platform.launcher.Launcher;
import org.junit.platform.launcher.LauncherDiscoveryRequest;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;
import org.junit.platform.launcher.listeners.SummaryGeneratingListener;
import org.junit.platform.launcher.listeners.TestExecutionSummary;

import java.io.PrintWriter;

import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

/**
 * Runs one test class in this JVM and prints a one-line summary that a parent test parses:
 * {@code summary found=N succeeded=N failed=N aborted=N skipped=N}. Used to run tests in a child
 * JVM whose network differs from the parent's (see {@link MulticastInNetworkNamespaceTest}).
 */
public final class JUnitClassRunner {

    private JUnitClassRunner() {
    }

    public static void main(String[] args) throws ClassNotFoundException {
        LauncherDiscoveryRequest request = LauncherDiscoveryRequestBuilder.request()
                .selectors(selectClass(Class.forName(args[0])))
                .build();
        SummaryGeneratingListener listener = new SummaryGeneratingListener();
        Launcher launcher = LauncherFactory.create();
        launcher.execute(request, listener);
        TestExecutionSummary summary = listener.getSummary();
        summary.printFailuresTo(new PrintWriter(System.out, true), 30);
        System.out.printf("summary found=%d succeeded=%d failed=%d aborted=%d skipped=%d%n",
                summary.getTestsFoundCount(), summary.getTestsSucceededCount(), summary.getTestsFailedCount(),
                summary.getTestsAbortedCount(), summary.getTestsSkippedCount());
        System.exit(summary.getTestsFailedCount() == 0 ? 0 : 1);
    }
}
