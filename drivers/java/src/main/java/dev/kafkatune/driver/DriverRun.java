package dev.kafkatune.driver;

/**
 * One run of a driver process, as Main drives it: {@link #run()} to the end, then the result
 * filled, the client's end state read, the result written, and only then the client closed.
 */
interface DriverRun {
    /** Runs to the end; never throws: a failure becomes the result's error. */
    void run();

    /**
     * Copies what was measured into {@code r}. Called by the run's own thread at the end,
     * or by Main's watchdog if that thread is stuck (then values may lag a little).
     */
    void fill(Result r);

    /** The client's own metrics (and end state) into {@code r}; on the run's thread, before {@link #close()}. */
    void snapshotClient(Result r);

    void close();

    double timeoutS();
}
