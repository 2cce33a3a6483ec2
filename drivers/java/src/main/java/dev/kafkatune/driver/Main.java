package dev.kafkatune.driver;

import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.common.utils.internals.AppInfoParser;

/**
 * {@code java -cp ... dev.kafkatune.driver.Main SPEC_PATH RESULT_PATH}: one consumer run
 * (drain, live) or producer run (produce) as described in docs/driver-protocol.md. Exit code 0 means the result document was
 * written (whatever its status); anything else means it could not be.
 */
public final class Main {
    /** How long past the deadline the watchdog lets a stuck run go before writing for it. */
    private static final long WATCHDOG_GRACE_NS = 2_000_000_000L;

    private static final AtomicBoolean RESULT_CLAIMED = new AtomicBoolean();

    private Main() {}

    public static void main(String[] args) {
        long startNanos = System.nanoTime();
        // stdout carries the protocol's event lines only: keep a private handle on it and
        // send anything a library prints to System.out to stderr instead.
        PrintStream events = new PrintStream(new FileOutputStream(FileDescriptor.out), false, StandardCharsets.UTF_8);
        System.setOut(System.err);
        // Before the first logger exists: warnings and errors only, on stderr (slf4j-simple's default
        // target), so the orchestrator's stderr tail shows why a run failed without INFO noise.
        setDefault("org.slf4j.simpleLogger.defaultLogLevel", "warn");
        setDefault("org.slf4j.simpleLogger.showDateTime", "true");

        if (args.length != 2) {
            System.err.println("usage: java -cp ... dev.kafkatune.driver.Main SPEC_PATH RESULT_PATH");
            System.exit(2);
        }
        Path specPath = Path.of(args[0]);
        Path resultPath = Path.of(args[1]);

        Spec spec;
        try {
            spec = Spec.parse(Files.readAllBytes(specPath));
        } catch (Exception e) {
            // Still a result: the orchestrator learns why from the document, not only from stderr.
            System.err.println("kafkatune java driver: bad spec " + specPath + ": " + e);
            Result r = new Result();
            // Spec's own checks already say which field is wrong; the class name would be noise.
            r.error = "bad spec " + specPath + ": " + (e instanceof IllegalArgumentException ? e.getMessage() : oneLine(e));
            r.clientVersion = AppInfoParser.getVersion();
            finish(r, resultPath);
            return;
        }

        long deadlineNanos = deadline(startNanos, spec.timeoutS());
        DriverRun run = spec.produceMode()
                ? new ProduceRun(spec, deadlineNanos, events)
                : spec.share() != null
                        ? new ShareRun(spec, deadlineNanos, events)
                        : new DrainOrLiveConsumer(spec, deadlineNanos, events);
        startWatchdog(run, resultPath, deadlineNanos, Thread.currentThread());

        run.run();
        Result r = new Result();
        run.fill(r);
        try {
            run.snapshotClient(r);
        } catch (Exception e) {
            System.err.println("kafkatune java driver: metrics snapshot failed: " + e);
        }
        Metrics.snapshotGc(r);
        // Written before close() so that a slow close cannot cost the result.
        writeOnce(r, resultPath);
        try {
            run.close();
        } catch (Exception e) {
            System.err.println("kafkatune java driver: close failed: " + e);
        }
        // Kafka's client threads must not keep the JVM alive past the run.
        System.exit(0);
    }

    /**
     * timeout_s counts from main(), the earliest instant the driver can read cheaply and
     * exactly (the JVM's own boot before it is about 50-80 ms; ProcessHandle's start time
     * is only second-accurate on Linux, and RuntimeMXBean costs ~30 ms of start-up).
     */
    private static long deadline(long startNanos, double timeoutS) {
        return startNanos + (long) (timeoutS * 1e9);
    }

    /**
     * poll() honours its timeout, so the loop ends by the deadline; this guards the
     * rest (a hung constructor, DNS, a callback, a send() blocked on a full buffer) so that a result is still written
     * instead of the orchestrator's SIGKILL leaving none.
     */
    private static void startWatchdog(DriverRun run, Path resultPath, long deadlineNanos, Thread runner) {
        Thread t = new Thread(() -> {
            long wait;
            while ((wait = deadlineNanos + WATCHDOG_GRACE_NS - System.nanoTime()) > 0) {
                try {
                    Thread.sleep(wait / 1_000_000 + 1);
                } catch (InterruptedException e) {
                    return;
                }
            }
            System.err.println("kafkatune java driver: still running " + WATCHDOG_GRACE_NS / 1_000_000_000
                    + " s after the deadline; the run's thread is at:");
            for (StackTraceElement frame : runner.getStackTrace()) {
                System.err.println("\tat " + frame);
            }
            if (!RESULT_CLAIMED.get()) {
                Result r = new Result();
                try {
                    run.fill(r);
                } catch (RuntimeException e) {
                    System.err.println("kafkatune java driver: partial result incomplete: " + e);
                }
                r.status = "failed";
                r.error = "driver did not stop by its timeout of " + seconds(run.timeoutS()) + " s"
                        + stuckIn(runner.getStackTrace()) + " with " + r.messages + " messages";
                Metrics.snapshotGc(r);
                writeOnce(r, resultPath);
            }
            // The result is on disk (ours or the main thread's): nothing left worth waiting for.
            Runtime.getRuntime().halt(0);
        }, "kafkatune-watchdog");
        t.setDaemon(true);
        t.start();
    }

    /** The first frame outside the JDK: the Kafka or driver code that is waiting, not Thread.sleep. */
    private static String stuckIn(StackTraceElement[] stack) {
        for (StackTraceElement f : stack) {
            String c = f.getClassName();
            if (!c.startsWith("java.") && !c.startsWith("jdk.") && !c.startsWith("sun.")) {
                return " (stuck in " + c + "." + f.getMethodName() + ")";
            }
        }
        return stack.length > 0 ? " (stuck in " + stack[0] + ")" : "";
    }

    /** Writes the result unless another thread already did; exits non-zero if it cannot. */
    private static void writeOnce(Result r, Path resultPath) {
        if (!RESULT_CLAIMED.compareAndSet(false, true)) {
            return;
        }
        try {
            // Whole document or nothing: write aside, then rename over the final name.
            Path tmp = resultPath.resolveSibling(resultPath.getFileName() + ".tmp");
            Files.write(tmp, r.toJson());
            Files.move(tmp, resultPath, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (Exception e) {
            System.err.println("kafkatune java driver: cannot write result " + resultPath + ": " + e);
            Runtime.getRuntime().halt(1);
        }
    }

    private static void finish(Result r, Path resultPath) {
        Metrics.snapshotGc(r);
        writeOnce(r, resultPath);
        System.exit(0);
    }

    /** "ExceptionClass: message", plus the root cause when it says something the top does not, on one line. */
    static String oneLine(Throwable e) {
        StringBuilder sb = new StringBuilder(describe(e));
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        if (root != e) {
            sb.append(" (caused by ").append(describe(root)).append(')');
        }
        return sb.toString().replaceAll("\\s*[\\r\\n]+\\s*", " ").trim();
    }

    private static String describe(Throwable e) {
        String msg = e.getMessage();
        return e.getClass().getName() + (msg == null || msg.isBlank() ? "" : ": " + msg);
    }

    /** 120.0 as "120", 0.5 as "0.5": the way a user wrote the timeout. */
    static String seconds(double s) {
        return s == Math.rint(s) && Math.abs(s) < 1e15 ? Long.toString((long) s) : Double.toString(s);
    }

    private static void setDefault(String key, String value) {
        if (System.getProperty(key) == null) {
            System.setProperty(key, value);
        }
    }
}
